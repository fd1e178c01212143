mkdir links
ln -s /tmp links/target

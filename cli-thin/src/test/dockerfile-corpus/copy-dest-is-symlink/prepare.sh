mkdir links
ln -s /etc/motd links/l

mkdir -p links/sub
ln -s sub/target links/l

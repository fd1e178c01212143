ln h/a h/b
mkdir h/sub
ln h/a h/sub/c

mkdir -p t/d && echo in > t/d/f && tar -C t -cjf archive.tar.bz2 .
rm -r t

mkdir -p t/d && echo in > t/d/f && tar -C t -czf archive.tar.gz .
rm -r t

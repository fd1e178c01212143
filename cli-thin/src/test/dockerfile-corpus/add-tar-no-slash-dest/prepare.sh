mkdir -p t && echo in > t/f && tar -C t -czf archive.tar.gz .
rm -r t

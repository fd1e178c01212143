mkdir -p t/d && echo in > t/d/f && tar -C t -cJf archive.tar.xz .
rm -r t

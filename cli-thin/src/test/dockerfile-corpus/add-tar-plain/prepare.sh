mkdir -p t/d && echo in > t/d/f && tar -C t -cf archive.tar .
rm -r t

mkdir -p t/d && echo in > t/d/f && chown -R 1234:5678 t && tar -C t --numeric-owner -cf archive.tar .
rm -r t

mkdir -p t/d && echo in > t/d/f && chmod 4755 t/d/f && ln t/d/f t/d/hard && ln -s f t/d/soft && mkfifo t/p
chown -R 1234:5678 t/d && chmod 2750 t/d
tar -C t --numeric-owner -cf archive.tar .
rm -r t

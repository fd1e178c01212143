mkdir -p t/d && echo in > t/d/f && tar -C t -cf - . | zstd -q -o archive.tar.zst
rm -r t

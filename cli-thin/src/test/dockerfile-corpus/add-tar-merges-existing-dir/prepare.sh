mkdir -p t && echo new > t/added.conf && tar -C t -cf archive.tar .
rm -r t

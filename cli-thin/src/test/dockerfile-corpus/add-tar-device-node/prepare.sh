mkdir t
echo keep > t/regular
mknod t/null-copy c 1 3
tar -C t -cf devs.tar .
rm -r t

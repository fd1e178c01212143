mkdir devs
echo keep > devs/regular
mknod devs/null-copy c 1 3

head -c 3000000 /dev/zero | tr '\0' 'z' > big.bin

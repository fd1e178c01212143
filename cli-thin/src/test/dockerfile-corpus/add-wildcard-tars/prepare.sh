for n in 1 2; do mkdir -p t$n && echo $n > t$n/f$n && tar -C t$n -cf a$n.tar . && rm -r t$n; done

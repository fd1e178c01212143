mkdir t && echo x > t/su && chmod 4755 t/su && tar -C t -cf tools.tar . && rm -r t

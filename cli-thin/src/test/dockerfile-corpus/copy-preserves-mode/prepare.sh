chmod 741 x
chmod 600 y
chmod 700 d

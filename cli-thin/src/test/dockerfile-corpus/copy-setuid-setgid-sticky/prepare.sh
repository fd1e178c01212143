chmod 4755 u
chmod 2755 g
chmod 1777 t

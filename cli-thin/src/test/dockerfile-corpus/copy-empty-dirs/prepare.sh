mkdir -p empty nested/empty2
chmod 750 nested

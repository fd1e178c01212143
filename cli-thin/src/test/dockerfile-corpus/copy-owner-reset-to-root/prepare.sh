chown 1234:5678 f d d/g

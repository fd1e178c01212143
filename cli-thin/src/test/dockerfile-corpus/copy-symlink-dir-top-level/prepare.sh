ln -s dir linkdir

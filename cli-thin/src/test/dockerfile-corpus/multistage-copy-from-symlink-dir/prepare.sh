ln -s f tree/link

echo plain | gzip -n > note.gz

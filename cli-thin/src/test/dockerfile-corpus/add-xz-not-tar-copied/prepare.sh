echo plain | xz > note.xz

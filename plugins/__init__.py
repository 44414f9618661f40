"""The built-in province plugins; each is loaded through the ``doudi`` entry-point group."""

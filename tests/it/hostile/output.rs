//! The output folder: nothing errkb did not make is deleted or moved (`..`, symlinks, home, root, markers, staging).

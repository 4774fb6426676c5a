//! Nothing from outside the site root is read: symlinks in content/, templates/, static/; editor litter.

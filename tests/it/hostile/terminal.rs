//! Terminal output cannot be hijacked; remote catalogs are bounded and validated.

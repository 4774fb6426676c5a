//! Smaller items: unsafe-command lint bypasses, id length, disk full, reserved ids in `new`, long lines in `match`.

//! `errkb serve` under abuse: connection floods, slow clients, huge headers, DNS rebinding.

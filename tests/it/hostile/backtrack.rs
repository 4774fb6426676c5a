//! Patterns whose JavaScript form could backtrack catastrophically are refused by `check`.

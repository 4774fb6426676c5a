//! Cross-entry overlap checks stay bounded in time, memory and output.

//! TEMPORARY shim so the crate compiles while the pattern engine is being written.
//! The pattern-engine work replaces this whole file.
pub struct PatternError {
    pub message: String,
    pub offset: Option<usize>,
    pub hint: Option<String>,
}
pub struct Pattern;
pub fn compile(src: &str) -> Result<Pattern, PatternError> {
    if src.trim().is_empty() {
        return Err(PatternError {
            message: "empty".into(),
            offset: None,
            hint: None,
        });
    }
    Ok(Pattern)
}
pub fn identity_key(src: &str) -> String {
    src.to_lowercase()
}

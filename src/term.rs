//! Text bound for a terminal: the one sanitiser every printed string goes through.
//!
//! Entries come from pull requests and catalogs from anyone's server, so a string that
//! errkb prints may hold control sequences a terminal would act on: OSC 52 writes the
//! clipboard, OSC 8 draws a link whose target is not its text, CSI clears the screen,
//! CR moves back over what was printed, bidi overrides show text in another order than
//! it runs. Every such character is shown as `\u{…}` (lowercase hex, the spelling of Rust
//! and of Rust's `regex`, so a printed pattern keeps its meaning) and nothing else is
//! changed. errkb's own colours are added around sanitised text, never inside it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Where the text goes, which decides what stays as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Prose: line breaks and tabs are meant; joiners belong to some scripts and emoji.
    Text,
    /// One line (a title, an id, a path): a line break would forge the next line.
    Line,
    /// A command the reader copies: nothing invisible may hide in it.
    Command,
}

/// Bidirectional formatting characters: they reorder what is shown without changing
/// what is copied or run (the "Trojan Source" characters, plus the marks).
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width characters that can hide inside a word: the space, the joiners, the word
/// joiner and the byte order mark.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

fn escaped(c: char, kind: Kind) -> bool {
    match c {
        '\n' => kind == Kind::Line,
        '\t' => false,
        // C0, DEL and C1 (8-bit CSI, OSC, NEL… are controls in many terminals).
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // The joiners shape Persian, Indic scripts and emoji in prose; in a command they
        // only hide text.
        '\u{200c}' | '\u{200d}' => kind == Kind::Command,
        c => is_bidi(c) || is_zero_width(c),
    }
}

fn sanitise(s: &str, kind: Kind) -> Cow<'_, str> {
    // Most text holds nothing to show: hand it back as it is.
    let Some(first) = s.char_indices().find(|&(_, c)| escaped(c, kind)) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first.0]);
    for c in s[first.0..].chars() {
        if escaped(c, kind) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Prose for a terminal: keeps line breaks and tabs, shows every other control,
/// bidi and hiding character as `\u{…}`.
pub fn text(s: &str) -> Cow<'_, str> {
    sanitise(s, Kind::Text)
}

/// One line for a terminal: like [`text`], and a line break is shown as `\u{a}`.
pub fn line(s: &str) -> Cow<'_, str> {
    sanitise(s, Kind::Line)
}

/// A command for a terminal: like [`text`], and the joiners are shown too.
pub fn command(s: &str) -> Cow<'_, str> {
    sanitise(s, Kind::Command)
}

/// JSON text made as inert as the rest: DEL, C1, bidi and zero-width characters become
/// `\uXXXX` escapes (`serde_json` already escapes C0). These characters only occur inside
/// JSON strings, so a parser reads the same values as before.
pub fn json(s: String) -> String {
    if !s
        .chars()
        .any(|c| c != '\n' && c != '\t' && escaped(c, Kind::Command))
    {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c != '\n' && c != '\t' && escaped(c, Kind::Command) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// The first character of a command that makes what is shown differ from what is copied
/// or run: a control other than tab and line break (ESC, CR, BEL…), a bidi control or a
/// zero-width character. Its byte offset and the character.
pub fn hidden_in_command(run: &str) -> Option<(usize, char)> {
    run.char_indices()
        .find(|&(_, c)| c != '\n' && escaped(c, Kind::Command))
}

/// `U+202E (right-to-left override)`: how an error names a character it cannot show.
pub fn describe(c: char) -> String {
    let name = match c {
        '\u{1b}' => "escape, starts terminal control sequences",
        '\r' => "carriage return, moves back over what was printed",
        '\u{7}' => "bell",
        '\u{8}' => "backspace",
        '\0'..='\u{1f}' | '\u{7f}' => "control character",
        '\u{80}'..='\u{9f}' => "C1 control character",
        '\u{202e}' => "right-to-left override",
        '\u{202d}' => "left-to-right override",
        '\u{202a}' | '\u{202b}' => "bidi embedding",
        '\u{202c}' => "pop directional formatting",
        '\u{2066}'..='\u{2068}' => "bidi isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{200e}' | '\u{200f}' | '\u{061c}' => "bidi mark",
        '\u{200b}' => "zero-width space",
        '\u{200c}' => "zero-width non-joiner",
        '\u{200d}' => "zero-width joiner",
        '\u{2060}' => "word joiner",
        '\u{feff}' => "zero-width no-break space (byte order mark)",
        _ => "invisible character",
    };
    format!("U+{:04X} ({name})", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_not_sent() {
        assert_eq!(
            text("a\x1b]52;c;eA==\x07b\r\n\tc\u{9b}2J\u{7f}"),
            "a\\u{1b}]52;c;eA==\\u{7}b\\u{d}\n\tc\\u{9b}2J\\u{7f}"
        );
        assert_eq!(line("a\nb"), "a\\u{a}b");
        assert_eq!(text("\u{202e}gnp.exe\u{2066}"), "\\u{202e}gnp.exe\\u{2066}");
        assert_eq!(text("x\u{200b}y\u{feff}"), "x\\u{200b}y\\u{feff}");
        // Joiners are kept in prose (Persian, emoji), shown in commands.
        assert_eq!(text("خانه\u{200c}ها"), "خانه\u{200c}ها");
        assert_eq!(command("echo a\u{200d}b"), "echo a\\u{200d}b");
        // Ordinary text is borrowed untouched, including non-ASCII.
        assert!(matches!(text("café — 漢字 ✓"), Cow::Borrowed(_)));
        assert!(matches!(line("C:\\path\\u{1b}"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_stays_valid_and_equal() {
        let v = serde_json::json!({"t": "a\u{9b}b\u{202e}c\u{7f}\u{200b}\n\x1b"});
        let s = json(serde_json::to_string(&v).expect("json"));
        assert!(
            s.chars().all(|c| c.is_ascii() && !c.is_ascii_control()),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).expect("parse");
        assert_eq!(back, v);
    }

    #[test]
    fn hidden_characters_in_commands() {
        assert_eq!(hidden_in_command("ls -l\n\tcat x"), None);
        assert_eq!(hidden_in_command("echo a\rb"), Some((6, '\r')));
        assert_eq!(hidden_in_command("é\u{202e}"), Some((2, '\u{202e}')));
        assert_eq!(hidden_in_command("a\u{200c}"), Some((1, '\u{200c}')));
        assert_eq!(describe('\u{202e}'), "U+202E (right-to-left override)");
    }
}

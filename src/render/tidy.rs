//! The last step of every HTML page: the blank lines and indentation that templates leave
//! between tags are collapsed to one newline, so a page weighs what it shows (on a
//! 10,000-entry site that is about 7 MB). What a browser renders is unchanged: outside
//! the elements that keep their whitespace, a run of whitespace is shown as one space or
//! none whatever its length, and a newline stays a newline for anyone reading the source.

/// Elements whose text is copied as it is: whitespace is content there (`pre`,
/// `textarea`, `code`, which the theme may set to `pre-wrap`) or not HTML at all
/// (`script`, `style`).
const VERBATIM: [&str; 5] = ["pre", "textarea", "code", "script", "style"];

/// `html` with each whitespace run that holds a newline, outside [`VERBATIM`] elements,
/// replaced by a single newline. Runs without a newline are kept as they are.
pub(crate) fn collapse_whitespace(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                if let Some(name) = VERBATIM.iter().find(|n| opens(bytes, i, n)) {
                    // Copy through the matching close tag (these elements do not nest in
                    // errkb's pages; an unclosed one keeps the rest of the page as is).
                    let close = format!("</{name}");
                    let end = find_ci(&html[i..], &close).map_or(bytes.len(), |k| i + k);
                    i = end + close.len().min(bytes.len() - end);
                } else {
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                let start = i;
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
                {
                    i += 1;
                }
                let run = &bytes[start..i];
                if run.contains(&b'\n') && run != b"\n" {
                    out.push_str(&html[copied..start]);
                    out.push('\n');
                    copied = i;
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// Whether `bytes[at..]` opens element `name` (`<pre>`, `<pre class…`), any case.
fn opens(bytes: &[u8], at: usize, name: &str) -> bool {
    let n = name.len();
    bytes.len() > at + n + 1
        && bytes[at + 1..=at + n].eq_ignore_ascii_case(name.as_bytes())
        && matches!(
            bytes[at + n + 1],
            b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/'
        )
}

/// Byte offset of `needle` (ASCII) in `hay`, ignoring ASCII case.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&k| h[k..k + n.len()].eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::collapse_whitespace as tidy;

    #[test]
    fn indentation_and_blank_lines_between_tags_collapse() {
        assert_eq!(
            tidy("<ul>\n    \n  <li>a</li>\n\n\n  <li>b</li>\n</ul>\n"),
            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
        );
    }

    #[test]
    fn spaces_without_a_newline_are_kept() {
        let html = "<p><a href=x>one</a> <a href=y>two</a>  three</p>";
        assert_eq!(tidy(html), html);
    }

    #[test]
    fn verbatim_elements_are_untouched() {
        let html = "<div>\n   <pre class=\"code\"><code>a\n\n    b\n</code></pre>\n  \
                    <textarea>\n  x\n</textarea>\n  <script type=\"application/json\">{\n  \"a\": 1\n}</script>\n  \
                    <h1><code>two  spaces\n  kept</code></h1>\n  <STYLE>\n  p {}\n</STYLE>\n</div>";
        assert_eq!(
            tidy(html),
            "<div>\n<pre class=\"code\"><code>a\n\n    b\n</code></pre>\n\
             <textarea>\n  x\n</textarea>\n<script type=\"application/json\">{\n  \"a\": 1\n}</script>\n\
             <h1><code>two  spaces\n  kept</code></h1>\n<STYLE>\n  p {}\n</STYLE>\n</div>"
        );
    }

    #[test]
    fn look_alike_tags_are_not_verbatim() {
        // `<preview>` and `<codex>` are not `pre` and `code`.
        assert_eq!(
            tidy("<preview>\n   a</preview><codex>\n  b</codex>"),
            "<preview>\na</preview><codex>\nb</codex>"
        );
    }

    #[test]
    fn unclosed_verbatim_element_keeps_the_rest() {
        let html = "<p>\n  x</p><pre>\n  a\n   b";
        assert_eq!(tidy(html), "<p>\nx</p><pre>\n  a\n   b");
    }

    #[test]
    fn text_and_multibyte_characters_survive() {
        let html = "<p>Don’t\n   stop — ok</p>\n\n";
        assert_eq!(tidy(html), "<p>Don’t\nstop — ok</p>\n");
    }
}

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
///
/// Only `<` and newlines are looked at one by one (found with `memchr`): every page of a
/// build goes through here, so it runs at close to the speed of a copy.
pub(crate) fn collapse_whitespace(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    let mut copied = 0;
    while let Some(k) = memchr::memchr2(b'<', b'\n', &bytes[i..]) {
        let at = i + k;
        if bytes[at] == b'<' {
            // Copy through the matching close tag (these elements do not nest in errkb's
            // pages; an unclosed one keeps the rest of the page as is).
            // Most tags start with another letter than the verbatim ones (p, t, c, s).
            let maybe = bytes
                .get(at + 1)
                .is_some_and(|b| matches!(b | 0x20, b'p' | b't' | b'c' | b's'));
            let verbatim = maybe
                .then(|| VERBATIM.iter().find(|n| opens(bytes, at, n)))
                .flatten();
            i = match verbatim {
                Some(name) => close_end(bytes, at, name),
                None => at + 1,
            };
        } else {
            // The whole whitespace run around this newline.
            let mut start = at;
            while start > copied && is_space(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = at + 1;
            while end < bytes.len() && is_space(bytes[end]) {
                end += 1;
            }
            if end - start > 1 {
                out.push_str(&html[copied..start]);
                out.push('\n');
                copied = end;
            }
            i = end;
        }
    }
    out.push_str(&html[copied..]);
    out
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
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

/// Where the first `</name` (any case) at or after `from` ends; the end of `bytes` when
/// there is none.
fn close_end(bytes: &[u8], from: usize, name: &str) -> usize {
    // By `<` (a searcher for `</` would be built on every call: every `<code>` of a
    // page comes here).
    let mut k = from;
    while let Some(j) = memchr::memchr(b'<', &bytes[k..]) {
        let lt = k + j;
        k = lt + 1;
        if bytes.get(k) != Some(&b'/') {
            continue;
        }
        let tag = lt + 2;
        let end = tag + name.len();
        if end <= bytes.len() && bytes[tag..end].eq_ignore_ascii_case(name.as_bytes()) {
            return end;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::collapse_whitespace as tidy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn agrees_with_the_byte_at_a_time_rule_on_random_pages(
            html in "(<|>|/|\n|\t| |x|é|pre|PRE|Pre|code|textarea|script|style|styles|<p>|</pre>|</code>|</script>){0,40}"
        ) {
            proptest::prop_assert_eq!(tidy(&html), reference(&html));
        }
    }

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
    fn runs_at_the_edges_and_between_verbatim_elements() {
        assert_eq!(tidy("\n\n  <p>a</p>  \n"), "\n<p>a</p>\n");
        assert_eq!(tidy("\n"), "\n");
        assert_eq!(tidy("a \n"), "a\n");
        assert_eq!(
            tidy("<pre>x\n\n</pre>  \n  <pre>y</PRE \n>\n"),
            "<pre>x\n\n</pre>\n<pre>y</PRE\n>\n"
        );
        assert_eq!(tidy("<code>a</cod\n\n"), "<code>a</cod\n\n");
    }

    /// The byte-at-a-time rule this module implements, kept as the reference.
    fn reference(html: &str) -> String {
        let bytes = html.as_bytes();
        let mut out = String::new();
        let (mut i, mut copied) = (0, 0);
        while i < bytes.len() {
            if bytes[i] == b'<' {
                i = match super::VERBATIM.iter().find(|n| super::opens(bytes, i, n)) {
                    Some(name) => super::close_end(bytes, i, name),
                    None => i + 1,
                };
            } else if super::is_space(bytes[i]) {
                let start = i;
                while i < bytes.len() && super::is_space(bytes[i]) {
                    i += 1;
                }
                let run = &bytes[start..i];
                if run.contains(&b'\n') && run != b"\n" {
                    out.push_str(&html[copied..start]);
                    out.push('\n');
                    copied = i;
                }
            } else {
                i += 1;
            }
        }
        out.push_str(&html[copied..]);
        out
    }

    #[test]
    fn agrees_with_the_byte_at_a_time_rule() {
        // Every string of up to 6 symbols over an alphabet of the interesting pieces.
        let pieces = ["<pre>", "</pre>", "<p>", " ", "\n", "\t", "x", "</"];
        let mut cases = vec![String::new()];
        for _ in 0..6 {
            let mut next = Vec::new();
            for c in &cases {
                for p in pieces {
                    next.push(format!("{c}{p}"));
                }
            }
            for c in &next {
                assert_eq!(tidy(c), reference(c), "{c:?}");
            }
            cases = next;
        }
    }

    #[test]
    fn text_and_multibyte_characters_survive() {
        let html = "<p>Don’t\n   stop — ok</p>\n\n";
        assert_eq!(tidy(html), "<p>Don’t\nstop — ok</p>\n");
    }
}

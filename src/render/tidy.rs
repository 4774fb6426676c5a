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

/// Elements whose content is text, not tags: what looks like a tag in there is left as
/// it is (a script's string, a title's words).
const RAW_TEXT: [&str; 9] = [
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// `html` with the quotes taken off attribute values that HTML lets go without them:
/// `class="step"` becomes `class=step`, `href="/docker/"` becomes `href=/docker/`, while
/// `content="a b"`, `alt=""` and anything holding a quote, `=`, `<`, `>` or a backtick
/// keep theirs. A browser reads both forms as the same value (the HTML standard's
/// unquoted attribute value); on a 10,000-entry site the quotes were about 3 MB.
///
/// Tags are read as the HTML tokenizer reads them; the content of [`RAW_TEXT`] elements
/// and comments is copied as it is, and a tag that does not read cleanly up to its `>`
/// (raw HTML an author wrote) is left as it is, reading on after the `>` where the
/// tokenizer ends it (never inside one of its values).
#[cfg(test)]
pub(crate) fn unquote_attributes(html: &str) -> String {
    let mut out = String::new();
    unquote_attributes_into(html, &mut out);
    out
}

/// [`unquote_attributes`] into `out` (cleared first), so that a caller can reuse one
/// buffer for every page.
pub(crate) fn unquote_attributes_into(html: &str, out: &mut String) {
    let bytes = html.as_bytes();
    out.clear();
    out.reserve(html.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'<', &bytes[i..]) {
        let at = i + k;
        // Close tags first: they are half of all tags and have nothing to unquote.
        if bytes.get(at + 1) == Some(&b'/') {
            i = at + 2;
            continue;
        }
        // Comments, and CDATA sections (SVG or MathML an author wrote): text, copied.
        if let Some((open, close)) = [(&b"!--"[..], &b"-->"[..]), (b"![CDATA[", b"]]>")]
            .into_iter()
            .find(|(open, _)| bytes[at + 1..].starts_with(open))
        {
            let from = at + 1 + open.len();
            i = memchr::memmem::find(&bytes[from..], close)
                .map_or(bytes.len(), |e| from + e + close.len());
            continue;
        }
        if !bytes.get(at + 1).is_some_and(u8::is_ascii_alphabetic) {
            i = at + 1;
            continue;
        }
        let mut name_end = at + 2;
        while bytes.get(name_end).is_some_and(|b| is_name_byte(*b)) {
            name_end += 1;
        }
        let end = unquote_tag(html, name_end, out, &mut copied)
            .unwrap_or_else(|| tag_end(bytes, name_end));
        i = match raw_text(&bytes[at + 1..name_end]) {
            Some(name) => close_end(bytes, end, name),
            None => end,
        };
    }
    out.push_str(&html[copied..]);
}

/// Reads the attributes of the tag whose name ends at `from` up to its `>`, writing to
/// `out` (through `copied`) each `name="value"` whose value needs no quotes without
/// them. Where the tag ends (after `>`); `None`, with `out` and `copied` as they were,
/// when it does not read as a tag the tokenizer would end at a `>` in the way errkb
/// writes them.
fn unquote_tag(html: &str, from: usize, out: &mut String, copied: &mut usize) -> Option<usize> {
    let bytes = html.as_bytes();
    // Values are unquoted into `out` as they are read; a tag that then fails to read
    // takes them back.
    let mark = (out.len(), *copied);
    let undo = |out: &mut String, copied: &mut usize| {
        out.truncate(mark.0);
        *copied = mark.1;
        None
    };
    let mut j = from;
    loop {
        while bytes.get(j).is_some_and(|b| is_space(*b)) {
            j += 1;
        }
        match bytes.get(j) {
            Some(b'>') => break,
            Some(b'/') if bytes.get(j + 1) == Some(&b'>') => {
                j += 1;
                break;
            }
            None | Some(b'"' | b'\'' | b'<' | b'=' | b'/') => return undo(out, copied),
            _ => {}
        }
        let name_start = j;
        while bytes.get(j).is_some_and(|b| is_name_byte(*b)) {
            j += 1;
        }
        if j == name_start {
            return undo(out, copied);
        }
        if bytes.get(j) != Some(&b'=') {
            continue; // an attribute without a value
        }
        j += 1;
        match bytes.get(j) {
            Some(&quote @ (b'"' | b'\'')) => {
                let Some(k) = memchr::memchr(quote, &bytes[j + 1..]) else {
                    return undo(out, copied);
                };
                let close = j + 1 + k;
                let value = &bytes[j + 1..close];
                // The tokenizer needs a space, `/` or `>` after a quoted value; before
                // `/>` the value keeps its quotes (`src=a.png/>` would read `a.png/`).
                match bytes.get(close + 1) {
                    Some(b) if is_space(*b) || *b == b'>' => {
                        if !value.is_empty() && value.iter().all(|b| unquoted_value_byte(*b)) {
                            out.push_str(&html[*copied..j]);
                            out.push_str(&html[j + 1..close]);
                            *copied = close + 1;
                        }
                    }
                    Some(b'/') => {}
                    _ => return undo(out, copied),
                }
                j = close + 1;
            }
            _ => {
                let start = j;
                while bytes.get(j).is_some_and(|b| unquoted_value_byte(*b)) {
                    j += 1;
                }
                if j == start || !bytes.get(j).is_some_and(|b| is_space(*b) || *b == b'>') {
                    return undo(out, copied);
                }
            }
        }
    }
    Some(j + 1)
}

/// Where the tokenizer ends the tag whose name ends at `from`: after its `>`, with the
/// `>`s inside quoted values passed over (the end of `bytes` when it never ends). A quote
/// opens a value only after `=`; where this reads a value the tokenizer would not (a
/// quote in an attribute's name), the tag only ends later, and nothing in between is
/// unquoted.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut j = from;
    let mut after_eq = false;
    while let Some(&b) = bytes.get(j) {
        match b {
            b'>' => return j + 1,
            b'"' | b'\'' if after_eq => match memchr::memchr(b, &bytes[j + 1..]) {
                Some(k) => {
                    j += k + 1;
                    after_eq = false;
                }
                None => return bytes.len(),
            },
            b'=' => after_eq = true,
            _ if is_space(b) => {}
            _ => after_eq = false,
        }
        j += 1;
    }
    bytes.len()
}

/// The [`RAW_TEXT`] element `name` is (any case), if it is one. Most tags are not, and
/// their length alone says so (`span`, `a`, `p`, `div`, `li`).
fn raw_text(name: &[u8]) -> Option<&'static str> {
    if !matches!(name.len(), 3 | 5..=9) {
        return None;
    }
    RAW_TEXT
        .iter()
        .find(|n| n.len() == name.len() && name.eq_ignore_ascii_case(n.as_bytes()))
        .copied()
}

/// A table of `f` over every byte, made at compile time.
macro_rules! byte_table {
    (|$c:ident| $body:expr) => {{
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            let $c = b as u8;
            t[b] = $body;
            b += 1;
        }
        t
    }};
}

/// What errkb reads as part of a tag or attribute name: letters, digits, `-`, `_`, `:`
/// and `.` (the tokenizer takes more; a tag with anything else is left as it is).
fn is_name_byte(b: u8) -> bool {
    const NAME: [bool; 256] =
        byte_table!(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.'));
    NAME[b as usize]
}

/// A byte an unquoted attribute value may hold: any printable ASCII but the quotes,
/// `=`, `<`, `>` and the backtick (the standard forbids those and whitespace; non-ASCII
/// bytes would be allowed too, but a value with them keeps its quotes).
fn unquoted_value_byte(b: u8) -> bool {
    const UNQUOTED: [bool; 256] = byte_table!(
        |c| c.is_ascii_graphic() && !matches!(c, b'"' | b'\'' | b'=' | b'<' | b'>' | b'`')
    );
    UNQUOTED[b as usize]
}

#[cfg(test)]
mod tests {
    use super::collapse_whitespace as tidy;

    use super::unquote_attributes as unquote;

    #[test]
    fn values_that_need_no_quotes_lose_them() {
        assert_eq!(
            unquote(
                r#"<html lang="en"><a class="heading-link" href="/docker/#why-1">x</a><p id='a.b'>"#
            ),
            "<html lang=en><a class=heading-link href=/docker/#why-1>x</a><p id=a.b>"
        );
        assert_eq!(
            unquote(r#"<script type="application/ld+json" src="/a.js"></script>"#),
            "<script type=application/ld+json src=/a.js></script>"
        );
        // Boolean attributes, values already unquoted, upper case.
        assert_eq!(
            unquote(r#"<INPUT disabled name="q" data-x id=b CLASS="c">"#),
            "<INPUT disabled name=q data-x id=b CLASS=c>"
        );
    }

    #[test]
    fn values_that_need_quotes_keep_them() {
        for tag in [
            r#"<meta content="width=device-width, initial-scale=1">"#,
            r#"<img alt="">"#,
            r#"<a title="it's">"#,
            r#"<a title='say "hi"'>"#,
            r#"<a data-x="a=b">"#,
            r#"<a data-x="a<b>c">"#,
            r#"<a data-x="a`b">"#,
            "<a data-x=\"tab\there\">",
            r#"<a data-x="Grüße">"#,
            r#"<img src="a.png"/>"#,
        ] {
            assert_eq!(unquote(tag), tag);
        }
        assert_eq!(
            unquote(r#"<img class="i" src="a.png"/>"#),
            r#"<img class=i src="a.png"/>"#
        );
    }

    #[test]
    fn text_comments_and_raw_text_are_left_alone() {
        let html = concat!(
            r#"<p>a="b" <b>x</b> 1 < 2 > 0</p><!-- <a href="x"> --><![CDATA[ <a href="x"> ]]>"#,
            r#"<script type="application/ld+json">{"a":"<b class=\"c\">"}</script>"#,
            r#"<title>a <i class="x"></title><textarea><p class="x"></textarea>"#,
            r#"<style>a[href="x"]{}</style><pre class="code"><code class="language-bash"><span class="o">|</span></code></pre>"#,
        );
        assert_eq!(
            unquote(html),
            concat!(
                r#"<p>a="b" <b>x</b> 1 < 2 > 0</p><!-- <a href="x"> --><![CDATA[ <a href="x"> ]]>"#,
                r#"<script type=application/ld+json>{"a":"<b class=\"c\">"}</script>"#,
                r#"<title>a <i class="x"></title><textarea><p class="x"></textarea>"#,
                r#"<style>a[href="x"]{}</style><pre class=code><code class=language-bash><span class=o>|</span></code></pre>"#,
            )
        );
    }

    #[test]
    fn tags_that_do_not_read_cleanly_are_left_as_they_are() {
        for html in [
            r#"<a href="x"#,
            r#"<a href="x"class="y">"#,
            r#"<a href = "x">"#,
            r#"<a "x">"#,
            r#"<a href="x" / class="y">"#,
            r#"<a href=Grüße class="y">"#,
            "<a class=\"x\"",
            "<!-- unclosed <a class=\"x\">",
            r#"<script class="x">"#,
        ] {
            let want = if html == r#"<script class="x">"# {
                "<script class=x>"
            } else {
                html
            };
            assert_eq!(unquote(html), want, "{html}");
        }
        // A broken tag does not stop the next one.
        assert_eq!(
            unquote(r#"<a href = "x"><b class="y">"#),
            r#"<a href = "x"><b class=y>"#
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// `Renderer::page` unquotes first and collapses after: the two steps commute.
        #[test]
        fn unquoting_and_collapsing_commute(
            html in "(<|>|/|\n|\t| |x|=|\"|'|<a|<p |<pre>|</pre>|<code>|</code>|<script>|</script>| class=\"a\"| id=\"b c\"|\n  |<!--|-->){0,40}"
        ) {
            proptest::prop_assert_eq!(
                tidy(&unquote(&html)),
                unquote(&tidy(&html))
            );
        }
    }

    #[test]
    fn reading_goes_on_after_a_broken_tag_not_inside_it() {
        // The tokenizer ends the first tag at its last `>`: `<b class="y">` is part of
        // a value, not a tag.
        let html = r#"<a title="x <b class="y">z</a><i class="k">"#;
        assert_eq!(
            unquote(html),
            r#"<a title="x <b class="y">z</a><i class=k>"#
        );
        // A script tag that does not read cleanly still holds script, not tags.
        let html = r#"<script src="a.js"x><p class="x"></script><p class="y">"#;
        assert_eq!(
            unquote(html),
            r#"<script src="a.js"x><p class="x"></script><p class=y>"#
        );
    }

    /// The attributes of each tag as an HTML tokenizer would read them, for tags of the
    /// shapes errkb writes (quoted or unquoted values, boolean attributes).
    fn attributes(html: &str) -> Vec<Vec<(String, Option<String>)>> {
        let re = regex::Regex::new(
            r#"<[a-z]+((?:\s+[a-z-]+(?:=(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*>"#,
        )
        .expect("regex");
        let attr = regex::Regex::new(r#"([a-z-]+)(?:=(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"#)
            .expect("regex");
        re.captures_iter(html)
            .map(|c| {
                attr.captures_iter(&c[1])
                    .map(|a| {
                        let v = a
                            .get(2)
                            .or(a.get(3))
                            .or(a.get(4))
                            .map(|m| m.as_str().to_string());
                        (a[1].to_string(), v)
                    })
                    .collect()
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn every_tag_keeps_its_attributes(
            tags in proptest::collection::vec(
                (
                    "(a|p|img|span)",
                    proptest::collection::vec(
                        ("[a-z]{1,3}(-[a-z]{1,2})?", proptest::option::of("[a-z0-9 /#.=<>`'-]{0,6}"), proptest::bool::ANY),
                        0..4,
                    ),
                    "[a-z <>]{0,4}",
                ),
                0..6,
            )
        ) {
            let mut html = String::new();
            for (name, attrs, text) in &tags {
                html.push('<');
                html.push_str(name);
                for (a, v, single) in attrs {
                    html.push(' ');
                    html.push_str(a);
                    match v {
                        Some(v) if *single && !v.contains('\'') => html.push_str(&format!("='{v}'")),
                        Some(v) => html.push_str(&format!("=\"{}\"", v.replace('"', ""))),
                        None => {}
                    }
                }
                html.push('>');
                html.push_str(&text.replace('<', "&lt;").replace('>', "&gt;"));
            }
            let out = unquote(&html);
            proptest::prop_assert_eq!(attributes(&out), attributes(&html));
            proptest::prop_assert!(out.len() <= html.len());
            proptest::prop_assert_eq!(unquote(&out), out);
        }
    }

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

//! The highlighter's tests: classes, the shell lexer against its grammar, stylesheets.

use super::css::{DARK_CODE_BG, LIGHT_CODE_BG, adjust, contrast};
use super::*;

#[test]
fn bash_is_classed() {
    let html = highlight("echo \"hi\" # c", "bash");
    assert!(html.contains("<span class=s>\"hi\"</span>"), "{html}");
    assert!(html.contains("<span class=c># c</span>"), "{html}");
    assert!(!html.contains("style="), "{html}");
    assert!(!html.ends_with('\n'), "{html:?}");
}

/// The text of highlighted HTML: tags removed, entities decoded.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The class of the innermost span around the first whole-word occurrence of `text`
/// in the element text of `html` (`text` as it appears in the HTML, escaped).
fn class_of<'a>(html: &'a str, text: &str) -> Option<&'a str> {
    let mut stack: Vec<&str> = Vec::new();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < html.len() {
        if bytes[i] == b'<' {
            let end = i + html[i..].find('>')?;
            let tag = &html[i..=end];
            if tag.starts_with("</") {
                stack.pop();
            } else {
                let class = tag
                    .split_once("class=")
                    .map(|(_, r)| r.trim_start_matches('"'))
                    .and_then(|r| r.split(['"', '>', ' ']).next())
                    .unwrap_or("");
                stack.push(class);
            }
            i = end + 1;
            continue;
        }
        let before_ok = i == 0 || matches!(bytes[i - 1], b'>' | b' ' | b'\n');
        if before_ok && html[i..].starts_with(text) {
            let after = bytes.get(i + text.len()).copied();
            if matches!(after, None | Some(b'<' | b' ' | b'\n')) {
                return stack.last().copied().filter(|c| !c.is_empty());
            }
        }
        i += html[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

#[test]
fn shell_uses_errkbs_own_lexer() {
    for lang in ["bash", "console", "sh", "Shell", " zsh "] {
        assert!(matches!(find_syntax(lang), Lang::Shell), "{lang}");
    }
    assert!(matches!(find_syntax("py"), Lang::Grammar(_)));
    assert!(matches!(find_syntax("log"), Lang::Plain));
    assert!(matches!(find_syntax("no-such-lang"), Lang::Plain));
}

/// errkb's shell grammar, which the hand-written lexer follows, run by syntect.
fn by_grammar(code: &str) -> String {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    let set = SET.get_or_init(|| {
        let mut b = syntect::parsing::SyntaxSetBuilder::new();
        b.add(
            syntect::parsing::SyntaxDefinition::load_from_str(
                include_str!("../syntaxes/shell.sublime-syntax"),
                true,
                None,
            )
            .expect("grammar"),
        );
        b.build()
    });
    let syntax = set.find_syntax_by_name("Shell (errkb)").expect("shell");
    classed_in(code, syntax, set).expect("parses")
}

/// The lexer gives the grammar's tokens: on every line and every file of the bundled
/// knowledge base (commands, prose, YAML: anything a lexer may meet), and on input
/// made to trip it.
#[test]
fn shell_lexer_agrees_with_the_grammar() {
    let mut inputs: Vec<String> = [
        "sudo docker run --rm -e FOO=\"bar $HOME\" img:1.2 2>&1 | tee out.log # note",
        "export KUBECONFIG=~/.kube/config && kubectl get pods -n kube-system",
        "echo ${X:-y} $(date +%s) 'single $not' `uname -r` \"a $(b \"c\") d\"",
        "$ git push origin main\nPS> Get-Item x\n  > continued",
        "cat <<'EOF' | sudo tee /etc/x.conf >/dev/null\nkey=$value\n  EOF\n\tEOF\nls -l",
        "cat <<-EOF\n\tx\n\tEOF\necho <<\"Q\" y\nQ",
        "ls --all <target> | sort <in.txt >out.txt 3>&- 2>>err &>all >|f <&0",
        "a=1 b+=2 c= d make -j4 -- -x ---y -1 1.2.3 1.2.x v1 ./-z x=-q",
        "for f in *.log; do if [ -s \"$f\" ]; then echo \"$f\"; fi; done",
        "(cd /tmp && ls) | grep -v '^#' # trailing # hash\n#comment\nx#notcomment",
        "echo \"unterminated\necho 'also\nnext",
        "trailing \\\nnext line \\x \\",
        "env=1 time=2 exit-code if-else fi_x done",
        "ünïcödé --flåg 'ß' \"€\" $é ${é} <ä>",
        "",
        "\n\n",
        ") ) ( (( `` $( ${ } $",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    for f in walkdir::WalkDir::new(content)
        .into_iter()
        .filter_map(Result::ok)
    {
        if f.file_type().is_file() {
            let text = std::fs::read_to_string(f.path()).expect("read");
            inputs.extend(text.lines().map(str::to_string));
            inputs.push(text);
        }
    }
    assert!(inputs.len() > 1000, "{}", inputs.len());
    // Lines first: a difference shows on the shortest input that has it.
    inputs.sort_by_key(String::len);
    for code in &inputs {
        let (ours, theirs) = (shell_spans(code, true), by_grammar(code));
        if ours != theirs {
            let at = ours
                .bytes()
                .zip(theirs.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(theirs.len()));
            let from = at.saturating_sub(60);
            let show = |s: &str| {
                s.get(from..(at + 60).min(s.len()))
                    .unwrap_or("")
                    .to_string()
            };
            panic!(
                "input {code:?}\n  lexer:   {:?}\n  grammar: {:?}",
                show(&ours),
                show(&theirs)
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(600))]
    /// Random mixes of words and every character a rule starts with.
    #[test]
    fn shell_lexer_agrees_with_the_grammar_on_random_input(
        code in "([a-zA-Z_]{1,6}|[0-9]{1,3}|[ \t\n|&;()<>'\"`$#={}\\.:/+*?@!~-]|<<|\\\n|é){0,30}"
    ) {
        proptest::prop_assert_eq!(shell_spans(&code, true), by_grammar(&code), "{:?}", code);
    }
}

#[test]
fn shell_grammar_marks_what_readers_scan_for() {
    let code = "sudo docker run --rm -e FOO=\"bar $HOME\" img:1.2 2>&1 | tee out.log # note\n\
                export KUBECONFIG=~/.kube/config && kubectl get pods -n kube-system\n\
                echo ${X:-y} $(date +%s) 'single $not'\n\
                $ git push origin main";
    let html = highlight(code, "bash");
    assert_eq!(text_of(&html), code);
    let has = |text: &str, class: &str| {
        let got = class_of(&html, text).unwrap_or_else(|| panic!("no span for {text}: {html}"));
        assert_eq!(got, class, "{text}");
    };
    has("sudo", "sf");
    has("docker", "vf");
    assert_eq!(class_of(&html, "--rm"), None, "options are plain: {html}");
    assert_eq!(class_of(&html, "-n"), None, "{html}");
    has("$HOME", "v");
    has("2&gt;&amp;1", "o");
    has("|", "o");
    has("tee", "vf");
    has("#", "c");
    has("kubectl", "vf");
    has("KUBECONFIG", "v");
    has("date", "vf");
    has("$", "pr");
    has("git", "vf");
    // A placeholder is one token, not two redirections; real redirections stay.
    let html = highlight("ls --all <target> | sort <in.txt >out.txt", "bash");
    assert_eq!(class_of(&html, "&lt;target&gt;"), Some("v"), "{html}");
    assert_eq!(class_of(&html, "&lt;in.txt"), None, "{html}");
    assert!(html.contains("<span class=o>&lt;</span>in.txt"), "{html}");
    has("'single", "s");
    // Inside single quotes nothing expands.
    assert!(class_of(&html, "$not").is_none(), "{html}");
    // Not options: a hyphen inside a word, a path.
    let html = shell_spans("apt-get install -y ca-certificates ./x-y", true);
    assert_eq!(class_of(&html, "-y"), Some("vp"), "{html}");
    assert!(class_of(&html, "-certificates").is_none(), "{html}");
    assert!(class_of(&html, "-get").is_none(), "{html}");
}

#[test]
fn shell_here_documents_end_at_their_own_word() {
    let code = "cat <<'EOF' | sudo tee /etc/x.conf >/dev/null\nkey=$value\n  EOF\nEOF\nls -l";
    let html = highlight(code, "bash");
    assert_eq!(text_of(&html), code);
    assert_eq!(class_of(&html, "key=$value"), Some("s"), "{html}");
    assert_eq!(class_of(&html, "ls"), Some("vf"), "{html}");
    assert_eq!(class_of(&html, "-l"), None, "options are plain: {html}");
    let html = shell_spans(code, true);
    assert_eq!(class_of(&html, "-l"), Some("vp"), "{html}");
}

#[test]
fn shell_grammar_survives_broken_input() {
    for code in [
        "echo \"unterminated",
        "echo 'unterminated\nnext line",
        "cat <<EOF\nnever ends",
        "echo $(",
        "echo ${",
        "echo `",
        "trailing \\",
        ") ) ( ((",
        "a=\na=b=c d=\"e\" f",
        "#!/bin/sh\n# only comments\n",
        "<<",
        "",
    ] {
        let html = highlight(code, "bash");
        assert_eq!(text_of(&html), code, "{code:?} → {html}");
    }
}

#[test]
fn unknown_language_is_escaped_text() {
    assert_eq!(
        highlight("<b>&</b>", "no-such-lang"),
        "&lt;b&gt;&amp;&lt;/b&gt;"
    );
}

#[test]
fn slots_are_marked() {
    let html = highlight_command("docker login <registry> < in.txt", "bash");
    assert!(
        html.contains("<span class=ph>&lt;registry&gt;</span>"),
        "{html}"
    );
    assert!(!html.contains("errkbslot"), "{html}");
}

#[test]
fn colours_are_readable_on_the_code_background() {
    let css = stylesheet("InspiredGitHub", "base16-ocean.dark").expect("themes");
    let light_part = &css[..css.find("@media").expect("media")];
    for (i, _) in light_part.match_indices("color: #") {
        if light_part[..i].ends_with("background-") {
            continue;
        }
        let hex = &light_part[i + 8..i + 14];
        let rgb = [0, 2, 4].map(|k| u8::from_str_radix(&hex[k..k + 2], 16).expect("hex"));
        assert!(contrast(rgb, LIGHT_CODE_BG) >= 4.5, "#{hex}");
    }
    assert!(
        contrast(
            adjust([0xff, 0xff, 0x00], LIGHT_CODE_BG, false),
            LIGHT_CODE_BG
        ) >= 4.5
    );
    assert!(contrast(adjust([0x20, 0x20, 0x80], DARK_CODE_BG, true), DARK_CODE_BG) >= 4.5);
}

#[test]
fn stylesheet_scopes_dark() {
    let css = stylesheet("InspiredGitHub", "base16-ocean.dark").expect("themes");
    assert!(
        css.contains(":root[data-theme=\"dark\"] pre .c {"),
        "{}",
        &css[..300.min(css.len())]
    );
    assert!(stylesheet("nope", "base16-ocean.dark").is_err());
    // The classes commands use most are coloured in the default themes.
    for class in ["c", "s", "o", "k", "vf"] {
        assert!(css.contains(&format!("pre .{class} {{")), "{class}: {css}");
    }
}

#[test]
fn classes_are_distinct_and_prefixes_valid() {
    let mut seen = std::collections::HashSet::new();
    for (prefix, class) in CLASSES {
        assert!(seen.insert(class), "{class} twice");
        assert!(Scope::new(prefix).is_ok(), "{prefix}");
    }
    // A longer prefix must come before a shorter one it extends, or it never wins.
    for (i, (a, _)) in CLASSES.iter().enumerate() {
        for (b, _) in &CLASSES[..i] {
            assert!(!a.starts_with(&format!("{b}.")), "{a} is shadowed by {b}");
        }
    }
}

#[test]
fn diff_lines_and_config_keys_are_classed() {
    let html = highlight("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n", "diff");
    assert_eq!(class_of(&html, "-old"), Some("md"), "{html}");
    assert_eq!(class_of(&html, "+new"), Some("mi"), "{html}");
    let html = highlight("key: 'value' # note", "yaml");
    assert_eq!(class_of(&html, "key"), Some("tg"), "{html}");
}

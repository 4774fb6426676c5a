use super::*;

#[test]
fn split_front_matter() {
    let (f, fl, b, bl) = split(EntryKind::Markdown, "---\na: 1\n---\n# Body\n").expect("ok");
    assert_eq!((f, fl, b, bl), ("a: 1\n", 2, "# Body\n", 4));
    let (f, _, b, _) = split(EntryKind::Markdown, "---\n---").expect("ok");
    assert_eq!((f, b), ("", ""));
}

#[test]
fn raw_entry_parts() {
    let md = RawEntry::new(
        "t".into(),
        "x".into(),
        "x.md".into(),
        EntryKind::Markdown,
        "---\na: 1\n---\nbody\n".into(),
        [0; 32],
    )
    .expect("md");
    assert_eq!((md.front(), md.body()), ("a: 1\n", "body\n"));
    let y = RawEntry::new(
        "t".into(),
        "x".into(),
        "x.yaml".into(),
        EntryKind::Yaml,
        "a: 1\n".into(),
        [0; 32],
    )
    .expect("yaml");
    assert_eq!((y.front(), y.body()), ("a: 1\n", ""));
}

/// A site of several reading batches in several tool folders, read while it is walked
/// (one-shot) and after the walk (`serve`): both loads find every file, in the walk's
/// order, with the walk's problems first and then each unreadable file's, in order.
#[test]
fn a_large_site_is_read_whole_and_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 300;
    let mut want = Vec::new();
    for tool in ["apt", "web"] {
        let t = dir.path().join("content").join(tool);
        std::fs::create_dir_all(&t).expect("mkdir");
        for i in 0..n {
            let text = if i == 123 || i == 250 {
                "no front matter\n".to_string()
            } else {
                want.push(format!("{tool} {i}\n"));
                format!("---\ntitle: E{i}\n---\n{tool} {i}\n")
            };
            std::fs::write(t.join(format!("e{i:03}.md")), text).expect("write");
        }
        // The same id twice: a problem the walk finds, before any read's.
        std::fs::write(t.join("e007.yaml"), "title: again\n").expect("write");
    }
    assert!(io_pool().is_some() || rayon::current_num_threads() >= READ_THREADS);
    for session in [Session::one_shot(), Session::kept()] {
        let loaded = load(dir.path(), &session);
        let bodies: Vec<&str> = loaded.entries.iter().map(RawEntry::body).collect();
        assert_eq!(bodies, want, "keeps: {}", session.keeps());
        let problems: Vec<(String, String)> = loaded
            .diagnostics
            .iter()
            .map(|d| {
                let file = d.file.as_deref().map(|f| f.display().to_string());
                (file.unwrap_or_default(), d.message.clone())
            })
            .collect();
        let files: Vec<&str> = problems.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(
            files,
            [
                "content/apt/e007.yaml",
                "content/web/e007.yaml",
                "content/apt/e123.md",
                "content/apt/e250.md",
                "content/web/e123.md",
                "content/web/e250.md",
            ],
            "{problems:?}"
        );
        assert!(problems[0].1.contains("duplicate entry id"), "{problems:?}");
        assert!(
            problems[2].1.contains("missing front matter"),
            "{problems:?}"
        );
    }
}

/// Folders and files come in the byte order of their names: dashes against letters,
/// digits of different lengths, a name that is a prefix of another (`a` and `a-b`), and a
/// tool folder whose name is a prefix of another's (`ap` and `ap-x`: as whole paths,
/// `ap/…` and `ap-x/…` differ at `/` against `-`). Ids are lowercase letters, digits and
/// dashes (`ENTRY-FORMAT.md`), so no other bytes can reach the order.
#[test]
fn files_come_in_the_byte_order_of_their_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names = [
        "b.md", "a-b.md", "a.md", "a10.md", "a9.md", "zz.md", "a-0.md", "9.md", "10.yaml",
        "a-b-c.md", "e.yml",
    ];
    let mut tools = ["ap-x", "ap", "ap9", "a"];
    for tool in tools {
        let t = dir.path().join("content").join(tool);
        std::fs::create_dir_all(&t).expect("mkdir");
        for name in names {
            let text = if name.ends_with(".md") {
                "---\ntitle: T\n---\n"
            } else {
                "title: T\n"
            };
            std::fs::write(t.join(name), text).expect("write");
        }
    }
    tools.sort_unstable();
    let mut sorted = names;
    sorted.sort_unstable();
    let want: Vec<String> = tools
        .iter()
        .flat_map(|t| sorted.iter().map(move |n| format!("content/{t}/{n}")))
        .collect();
    for session in [Session::one_shot(), Session::kept()] {
        let loaded = load(dir.path(), &session);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let files: Vec<String> = loaded
            .entries
            .iter()
            .map(|e| e.path.display().to_string())
            .collect();
        assert_eq!(files, want, "keeps: {}", session.keeps());
    }
}

#[test]
fn near_misses() {
    assert_eq!(near_miss("a.markdown").as_deref(), Some("a.md"));
    assert_eq!(near_miss("a.MD").as_deref(), Some("a.md"));
    assert_eq!(near_miss("a.Yml").as_deref(), Some("a.yml"));
    for none in ["a.md", "a.yaml", "a.txt", "README", ".md"] {
        assert_eq!(near_miss(none), None, "{none}");
    }
}

#[test]
fn split_errors() {
    let e = split(EntryKind::Markdown, "# no front matter\n").expect_err("missing");
    assert!(e.message.contains("missing front matter"));
    let e = split(EntryKind::Markdown, "---\na: 1\n").expect_err("unterminated");
    assert!(e.message.contains("unterminated"));
    assert_eq!(e.line, Some(1));
}

#[test]
fn an_entry_file_is_read_whole_whatever_its_size_said() {
    let dir = tempfile::tempdir().expect("tmp");
    let read = |name: &str| {
        let p = dir.path().join(name);
        read_entry(&p, Path::new(name), None, false).map(|(text, _)| text.to_string())
    };
    for (name, text) in [
        ("empty.md", String::new()),
        ("small.md", "---\ntitle: x\n---\n".to_string()),
        // Larger than one read of some file systems' pages.
        ("large.md", "body line\n".repeat(100_000)),
    ] {
        std::fs::write(dir.path().join(name), &text).expect("write");
        assert_eq!(read(name).expect(name), text, "{name}");
    }
    // A kernel file says it holds nothing and still has text.
    #[cfg(target_os = "linux")]
    {
        let text = read_entry(Path::new("/proc/self/status"), Path::new("s"), None, false)
            .expect("proc")
            .0;
        assert!(text.contains("Name:"), "{text}");
    }
}

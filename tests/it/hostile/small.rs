//! Smaller items: unsafe-command lint bypasses, id length, reserved ids in `new`, long
//! lines in `match`.

use crate::Site;

/// Commands that are unsafe shortcuts and slipped past the lint: each must be flagged.
const FLAGGED: &[&str] = &[
    "bash <(curl -fsSL https://get.example.org/install.sh)",
    "source <(curl -fsSL https://get.example.org/env.sh)",
    "sh -c \"$(curl -fsSL https://get.example.org/install.sh)\"",
    "sudo bash -c \"$(wget -qO- https://get.example.org/install.sh)\"",
    "eval \"$(curl -fsSL https://get.example.org/env.sh)\"",
    "wget -O- https://get.example.org/install.sh | sh",
    "wget -O - https://get.example.org/install.sh | sudo -E bash -s -- --yes",
    "curl -fsSL https://get.example.org/install.sh | /bin/bash",
    "curl -fsSL https://get.example.org/install.sh | tee install.log | sudo sh",
    "docker run --cap-add=ALL alpine",
    "docker run --cap-add ALL alpine",
    "docker run --cap-add=sys_admin alpine",
    "docker run --security-opt seccomp=unconfined alpine",
    "docker run --security-opt=apparmor:unconfined alpine",
    "docker run --security-opt label=disable alpine",
    "chmod -R 777 /srv/app",
    "sudo chmod --recursive 0777 /srv/app",
    "chmod a+rwx /srv/app",
    "chmod -R ugo+rwx /srv/app",
    "chmod u+x,o+w deploy.sh",
    "git push -f",
    "git push -f origin",
    "git push -fu origin main",
    "git push --force-with-lease",
    "git push --force-with-lease origin",
    "git push origin --force-with-lease",
    "pip install --trusted-host pypi.org requests",
    "python3 -m pip install --trusted-host=files.pythonhosted.org requests",
    "pip config set global.trusted-host pypi.org",
    "PIP_TRUSTED_HOST=pypi.org pip install requests",
    "npm config set strict-ssl false",
    "npm set strict-ssl=false",
    "NPM_CONFIG_STRICT_SSL=false npm ci",
    "git config http.sslVerify false",
    "git config --global http.sslverify \"false\"",
    "git config --global http.https://git.example.org/.sslVerify false",
];

/// Near misses: safe commands that look like the ones above. None may be flagged.
const NOT_FLAGGED: &[&str] = &[
    "git push --force-with-lease origin feature",
    "git push --force-with-lease --force-if-includes <remote> <branch>",
    "git push -u origin main",
    "git push origin HEAD:release",
    "chmod 755 deploy.sh",
    "chmod -R u+rwX,go+rX /srv/app",
    "chmod 600 ~/.npmrc",
    "curl -fsSL https://get.example.org/install.sh -o install.sh",
    "sh install.sh",
    "TOKEN=\"$(curl -fsS https://example.org/token)\"",
    "curl -fsSL https://example.org/data.json | python3 -m json.tool",
    "docker run --cap-add=NET_ADMIN alpine",
    "docker run --security-opt no-new-privileges alpine",
    "pip install --index-url https://pypi.example.org/simple requests",
    "npm config set strict-ssl true",
    "git config http.sslVerify true",
    "git config http.sslCAInfo /etc/ssl/certs/ca.pem",
];

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[test]
fn unsafe_command_bypasses_are_flagged() {
    let s = Site::new("ok-basic");
    let cases: Vec<(&str, bool)> = FLAGGED
        .iter()
        .map(|c| (*c, true))
        .chain(NOT_FLAGGED.iter().map(|c| (*c, false)))
        .collect();
    for (i, (cmd, _)) in cases.iter().enumerate() {
        s.write(
            &format!("content/demo/lint-{i}.md"),
            &format!(
                "---\ntitle: \"demo: lint {i} failed\"\nsummary: s\nlikely_cause: c\npatterns: [\"demo: lint case {i} failed\"]\nplaceholders:\n  remote: {{example: origin}}\n  branch: {{example: feature}}\nfix:\n  - run: {}\nunsafe: [{{do_not: a, why: b}}]\nverify: [y]\n---\n",
                quote(cmd)
            ),
        );
    }
    let r = s.run(&["check", "--format", "json"]);
    let out = r.stdout();
    let mut wrong = Vec::new();
    for (i, (cmd, flagged)) in cases.iter().enumerate() {
        let file = format!("\"content/demo/lint-{i}.md\"");
        let warned = out
            .lines()
            .any(|l| l.contains(&file) && l.contains("unsafe shortcut"));
        if warned != *flagged {
            wrong.push(format!(
                "{} {cmd}",
                if *flagged { "missed:" } else { "false alarm:" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}\n\n{out}", wrong.join("\n"));
}

#[test]
fn ids_longer_than_a_file_name_allows_are_refused() {
    let s = Site::new("ok-basic");
    let long = "a".repeat(252);
    s.write(
        &format!("content/demo/{long}.md"),
        &super::entry("").replace("hostile input failed", "long slug failed"),
    );
    let r = s.run(&["check"]).fails(1);
    let out = r.stdout();
    assert!(out.contains(&format!("content/demo/{long}.md")), "{out}");
    // The suggested name obeys the rule it stands for.
    let suggested = out
        .split('`')
        .find(|w| w.starts_with("aaa") && w.ends_with(".md") && w.len() < 250)
        .unwrap_or_else(|| panic!("no suggestion: {out}"));
    assert!(suggested.len() <= 100 + 3, "{suggested}");
    // A long tool folder too.
    let s = Site::new("ok-basic");
    let tool = "t".repeat(101);
    s.write(&format!("content/{tool}/x.md"), &super::entry(""));
    let r = s.run(&["check"]).fails(1);
    assert!(r.stdout().contains(&tool), "{}", r.stdout());
    // Tags become folder names too (`tags/<tag>/`).
    let s = Site::new("ok-basic");
    let tag = "t".repeat(300);
    s.write(
        "content/demo/long-tag.md",
        &super::entry("")
            .replace("hostile input failed", "long tag failed")
            .replace("verify: [y]", &format!("verify: [y]\ntags: [{tag}]")),
    );
    let r = s.run(&["check"]).fails(1);
    assert!(
        r.stdout().contains("at most 100 characters"),
        "{}",
        r.stdout()
    );
    // At the limit, build writes every output of the entry.
    let s = Site::new("ok-basic");
    let slug = format!("{}-b", "a".repeat(98));
    s.write(
        &format!("content/demo/{slug}.md"),
        &super::entry("").replace("hostile input failed", "slug at the limit failed"),
    );
    s.run(&["build", "-q"]).ok();
    assert!(s.path(&format!("public/demo/{slug}/index.html")).is_file());
    assert!(s.path(&format!("public/api/demo/{slug}.json")).is_file());
}

#[test]
fn new_refuses_ids_that_check_would_refuse() {
    for id in ["api/x", "search/x", "tags/x"] {
        let s = Site::new("ok-basic");
        let r = s.run(&["new", id]).fails(2);
        let tool = id.split('/').next().expect("tool");
        assert!(
            r.stderr().contains(&format!(
                "`{tool}` cannot be a tool folder: errkb uses /{tool}/ for its own pages"
            )),
            "{id}: {}",
            r.stderr()
        );
        assert!(!s.path(&format!("content/{tool}")).exists(), "{id}");
    }
    let s = Site::new("ok-basic");
    let long = format!("demo/{}", "a".repeat(101));
    let r = s.run(&["new", &long]).fails(2);
    assert!(r.stderr().contains("100 characters"), "{}", r.stderr());
    assert!(!s.path(&format!("content/{long}.md")).exists());
    // A valid id still works.
    s.run(&["new", "demo/fine-id"]).ok();
}

#[test]
fn match_says_when_it_cuts_a_long_line() {
    let s = Site::new("ok-basic");
    let mut log = "x".repeat(3 << 19);
    log.push('\n');
    log.push_str("error: widget beta is locked by another process\n");
    log.push_str(&"y".repeat(3 << 19));
    log.push('\n');
    s.write("ci.log", &log);
    let r = s.run(&["match", "ci.log"]).ok();
    assert!(
        r.stdout().starts_with("ci.log:2: error: widget beta"),
        "{}",
        r.stdout()
    );
    let err = r.stderr();
    assert_eq!(err.matches("longer than 1 MiB").count(), 1, "{err}");
    assert!(err.contains("ci.log: line 1 "), "{err}");
    assert!(err.contains("2 lines"), "{err}");
}

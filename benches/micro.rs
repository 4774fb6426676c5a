//! Micro-benchmarks of the hot paths, so a regression shows up as a number:
//! `cargo bench --bench micro`. The scale benchmark (`benches/run.sh`) is the one the
//! targets are measured with; these are for comparing one change against the last.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use errkb::config::Config;
use errkb::load::{EntryKind, RawEntry};
use errkb::matcher::Catalog;
use errkb::model::Site;
use errkb::render::view::{self, md_options};
use errkb::{highlight, markdown, pipeline, validate};

/// A real entry of the bundled knowledge base.
const ENTRY: &str = include_str!("../content/docker/cannot-connect-to-daemon.md");

fn raw() -> RawEntry {
    RawEntry::new(
        "docker".into(),
        "cannot-connect-to-daemon".into(),
        "content/docker/cannot-connect-to-daemon.md".into(),
        EntryKind::Markdown,
        ENTRY.into(),
        [0; 32],
    )
    .expect("the bundled entry has front matter")
}

fn front_matter(c: &mut Criterion) {
    let raw = raw();
    let config = Config::default();
    c.bench_function("parse and check one entry's front matter", |b| {
        b.iter(|| validate::validate_entry(black_box(&raw), &config))
    });
}

fn markdown_and_highlight(c: &mut Criterion) {
    let site = bundled();
    let entry = site
        .site
        .entries
        .iter()
        .find(|e| e.id.to_string() == "docker/cannot-connect-to-daemon")
        .expect("the bundled entry");
    // Everything an entry page shows that is made from Markdown: body, steps with their
    // highlighted commands, unsafe shortcuts, links.
    c.bench_function(
        "one entry's content: Markdown + highlighted steps (uncached)",
        |b| {
            b.iter_batched(
                highlight::clear_cache,
                |()| view::entry_view(black_box(entry), &site.site, &site.config),
                BatchSize::PerIteration,
            )
        },
    );
    let body = "Restart it, then check:\n\n```sh\nsudo systemctl restart docker\ndocker info --format '{{.ServerVersion}}'\n```\n";
    c.bench_function("a Markdown paragraph and a shell block (uncached)", |b| {
        b.iter_batched(
            highlight::clear_cache,
            |()| markdown::render(black_box(body), md_options(&site.config, "/")),
            BatchSize::PerIteration,
        )
    });
    let block = "sudo systemctl restart docker && docker info --format '{{.ServerVersion}}' | tee \"$HOME/v.txt\"\n";
    c.bench_function("highlight one shell command (uncached)", |b| {
        b.iter_batched(
            highlight::clear_cache,
            |()| highlight::highlight(black_box(block), "bash"),
            BatchSize::PerIteration,
        )
    });
}

/// The bundled knowledge base, loaded and checked.
fn bundled() -> pipeline::Outcome {
    let opts = pipeline::Options {
        root: env!("CARGO_MANIFEST_DIR").into(),
        ..Default::default()
    };
    pipeline::check(&opts)
}

fn pattern_matching(c: &mut Criterion) {
    let out = bundled();
    let catalog = Catalog::from_site(&out.site, &out.config);
    let hit = "2024-05-01T10:00:00.123Z ##[error]Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";
    let miss = "   Compiling serde_json v1.0.128 (/home/runner/.cargo/registry/src/index.crates.io/serde_json-1.0.128)";
    c.bench_function(
        "match one log line that is an error (bundled catalog)",
        |b| b.iter(|| catalog.match_line(black_box(hit))),
    );
    c.bench_function("match one ordinary log line (bundled catalog)", |b| {
        b.iter(|| catalog.match_line(black_box(miss)))
    });
}

/// A site of `n` entries `fam/e…` made by `make(i)` (front matter only).
fn site_of(n: usize, make: impl Fn(usize) -> String) -> Site {
    let config = Config::default();
    let mut entries: Vec<_> = (0..n)
        .map(|i| {
            let raw = RawEntry::new(
                "fam".into(),
                format!("e{i:05}"),
                format!("content/fam/e{i:05}.md").into(),
                EntryKind::Markdown,
                make(i).into(),
                [0; 32],
            )
            .expect("front matter");
            std::sync::Arc::new(validate::validate_entry(&raw, &config).0.expect("valid"))
        })
        .collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Site {
        entries,
        ..Site::default()
    }
}

fn front(title: &str, pattern: &str, example: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\nsummary: s\nlikely_cause: c\npatterns: [\"{pattern}\"]\nexamples: [\"{example}\"]\nfix: [x]\nunsafe: [{{do_not: a, why: b}}]\nverify: [y]\n---\n"
    )
}

fn overlap_check(c: &mut Criterion) {
    // The hostile case: 1,000 entries with one pattern and one example.
    let shared = site_of(1000, |i| {
        front(
            &format!("Shared failure {i}"),
            "demo: shared failed",
            "demo: shared failed",
        )
    });
    c.bench_function(
        "overlap check over a 1,000-entry family (one shared pattern)",
        |b| b.iter(|| validate::overlaps(black_box(&shared))),
    );
    // The ordinary shape: a generic entry whose pattern matches 999 specific ones.
    let family = site_of(1000, |i| {
        if i == 0 {
            return front(
                "demo: build failed: <reason>",
                "demo: build failed",
                "demo: build failed: no disk",
            );
        }
        let msg = format!("demo: build failed: step {i} exited with code 2");
        front(
            &msg,
            &format!("build failed: step {i} exited with code <code>"),
            &msg,
        )
    });
    c.bench_function(
        "overlap check over a 1,000-entry family (one generic entry)",
        |b| b.iter(|| validate::overlaps(black_box(&family))),
    );
    // Messages that differ only before a shared ending: every pattern's prefilter piece
    // (the last 24 bytes of its longest literal) is the same, so the check relies on
    // narrowing by the whole literal to stay linear.
    let ends_alike = site_of(1000, |i| {
        let msg = format!("fetch failed (code E{i:03}00): operation timed out");
        front(&msg, &msg, &msg)
    });
    c.bench_function(
        "overlap check over 1,000 entries whose messages end alike",
        |b| b.iter(|| validate::overlaps(black_box(&ends_alike))),
    );
}

criterion_group!(
    benches,
    front_matter,
    markdown_and_highlight,
    pattern_matching,
    overlap_check
);
criterion_main!(benches);

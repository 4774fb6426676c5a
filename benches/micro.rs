//! Micro-benchmarks of the hot paths, so a regression shows up as a number:
//! `cargo bench --bench micro`. The scale benchmark (`benches/run.sh`) is the one the
//! targets are measured with; these are for comparing one change against the last.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use errkb::config::Config;
use errkb::load::{EntryKind, RawEntry};
use errkb::matcher::Catalog;
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

criterion_group!(
    benches,
    front_matter,
    markdown_and_highlight,
    pattern_matching
);
criterion_main!(benches);

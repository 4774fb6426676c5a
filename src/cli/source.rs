//! Where `match` and `explain` get the knowledge base: a site's sources (`--root`) or a
//! built site's `api/entries.json` (`--catalog`, a file or an http(s) URL).

use std::path::{Path, PathBuf};

use crate::matcher::Catalog;
use crate::model::Site;
use crate::pipeline;

#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// The site's root folder (its sources are read and checked)
    #[arg(
        long,
        short = 'r',
        value_name = "DIR",
        default_value = ".",
        conflicts_with = "catalog"
    )]
    pub root: PathBuf,
    /// A built site's catalog instead of sources: a path to api/entries.json or its URL
    #[arg(long, value_name = "FILE_OR_URL")]
    pub catalog: Option<String>,
    /// Base URL for the links printed (default: from errkb.yaml, or the catalog)
    #[arg(long, value_name = "URL", env = "ERRKB_BASE_URL")]
    pub base_url: Option<String>,
}

pub(super) enum Loaded {
    Site(Box<Site>, Catalog),
    Built { catalog: Catalog, location: String },
}

impl Loaded {
    pub(super) fn catalog(&self) -> &Catalog {
        match self {
            Loaded::Site(_, c) | Loaded::Built { catalog: c, .. } => c,
        }
    }
}

pub(super) fn load(a: &SourceArgs) -> Result<Loaded, String> {
    match &a.catalog {
        Some(loc) => {
            let bytes = fetch(loc)?;
            Ok(Loaded::Built {
                catalog: Catalog::from_json(&bytes).map_err(|e| format!("{loc}: {e}"))?,
                location: loc.clone(),
            })
        }
        None => {
            let opts = pipeline::Options {
                root: a.root.clone(),
                base_url: a.base_url.clone(),
                drafts: false,
                external_links: false,
                ..Default::default()
            };
            let out = pipeline::check(&opts);
            if out.has_errors() {
                let mut diags = out.diagnostics;
                super::report(&mut diags);
                return Err(format!(
                    "the knowledge base in {} has errors (run `errkb check`)",
                    a.root.display()
                ));
            }
            let catalog = Catalog::from_site(&out.site, &out.config);
            Ok(Loaded::Site(Box::new(out.site), catalog))
        }
    }
}

/// [`load`], printing the error and giving the exit code when it fails.
pub(super) fn load_or_report(a: &SourceArgs) -> Result<Loaded, u8> {
    load(a).map_err(|m| {
        eprintln!("error: {}", crate::term::text(&m));
        super::exit::USAGE
    })
}

/// The most bytes read from a catalog or an entry file, local or remote. The bundled
/// knowledge base's catalog is a few hundred kilobytes; a thousand times that is still
/// a knowledge base, anything larger (or endless, like `/dev/zero`) is not.
pub(super) const MAX_BYTES: u64 = 64 << 20;

/// Reads a file, or GETs an http(s) URL, refusing more than [`MAX_BYTES`].
pub(super) fn fetch(loc: &str) -> Result<Vec<u8>, String> {
    if loc == "-" {
        return Err(
            "the catalog cannot be read from standard input, which carries the log: give a file or a URL".into(),
        );
    }
    let too_big = || format!("{loc} is larger than 64 MiB, the most errkb reads from a catalog");
    let bytes = if loc.starts_with("http://") || loc.starts_with("https://") {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .build()
            .into();
        let mut resp = agent
            .get(loc)
            .call()
            .map_err(|e| format!("cannot fetch {loc}: {e}"))?;
        match resp.body_mut().with_config().limit(MAX_BYTES).read_to_vec() {
            Ok(b) => b,
            Err(ureq::Error::BodyExceedsLimit(_)) => return Err(too_big()),
            Err(e) => return Err(format!("cannot read {loc}: {e}")),
        }
    } else {
        match read_capped(Path::new(loc)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => return Err(too_big()),
            Err(e) => return Err(format!("cannot read {loc}: {e}")),
        }
    };
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_big());
    }
    if bytes.is_empty() {
        return Err(format!("{loc} is empty"));
    }
    Ok(bytes)
}

/// A local file's first `MAX_BYTES + 1` bytes: enough to tell that it is too large,
/// whatever it is (a device, a pipe, a huge file).
fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = open_for_reading(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > MAX_BYTES {
        // No need to read what is known to be too large.
        return Err(std::io::ErrorKind::FileTooLarge.into());
    }
    let mut buf = Vec::new();
    file.take(MAX_BYTES + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Opens a file for reading without waiting for a FIFO's writer: a FIFO nobody writes
/// to then reads as empty instead of hanging, while one that is being written to (as in
/// `--catalog <(curl …)`) is read as usual.
#[cfg(unix)]
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    // Reads block again, so a slow writer is waited for rather than seen as done.
    let flags = rustix::fs::fcntl_getfl(&fd)?;
    rustix::fs::fcntl_setfl(&fd, flags - OFlags::NONBLOCK)?;
    Ok(std::fs::File::from(fd))
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// The location of `api/<tool>/<slug>.json` beside a catalog (`id` is a valid entry id:
/// [`Catalog::from_json`] checked it, so it cannot climb out of the folder).
pub(super) fn entry_json_location(catalog: &str, id: &str) -> String {
    let base = match catalog.strip_suffix("entries.json") {
        Some(b) => b,
        None => catalog.rfind('/').map_or("", |i| &catalog[..=i]),
    };
    format!("{base}{id}.json")
}

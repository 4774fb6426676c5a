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

pub enum Loaded {
    Site(Box<Site>, Catalog),
    Built { catalog: Catalog, location: String },
}

impl Loaded {
    pub fn catalog(&self) -> &Catalog {
        match self {
            Loaded::Site(_, c) | Loaded::Built { catalog: c, .. } => c,
        }
    }
}

pub fn load(a: &SourceArgs) -> Result<Loaded, String> {
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
pub fn load_or_report(a: &SourceArgs) -> Result<Loaded, u8> {
    load(a).map_err(|m| {
        eprintln!("error: {m}");
        super::exit::USAGE
    })
}

/// Reads a file, or GETs an http(s) URL.
pub fn fetch(loc: &str) -> Result<Vec<u8>, String> {
    if loc.starts_with("http://") || loc.starts_with("https://") {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .build()
            .into();
        let mut resp = agent
            .get(loc)
            .call()
            .map_err(|e| format!("cannot fetch {loc}: {e}"))?;
        resp.body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| format!("cannot read {loc}: {e}"))
    } else {
        std::fs::read(Path::new(loc)).map_err(|e| format!("cannot read {loc}: {e}"))
    }
}

/// The location of `api/<tool>/<slug>.json` beside a catalog.
pub fn entry_json_location(catalog: &str, id: &str) -> String {
    let base = catalog.strip_suffix("entries.json").unwrap_or(catalog);
    format!("{base}{id}.json")
}

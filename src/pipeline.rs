//! Runs the stages in order: load, validate, render, index, write. `check`, `build`
//! and `serve` all come through here, so they can never disagree. Nothing is written
//! when any stage reported an error.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::render::OutFile;
use crate::theme::Theme;
use crate::{load, render, validate, write};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    /// Overrides `base_url` from errkb.yaml.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Check external links too (network; `errkb check --external-links`).
    pub external_links: bool,
}

/// What a run produced: always diagnostics, a site when it could be built.
#[derive(Debug, Default)]
pub struct Outcome {
    pub config: Config,
    pub site: Site,
    pub diagnostics: Vec<Diagnostic>,
    pub files: Vec<OutFile>,
    pub timings: Vec<(&'static str, Duration)>,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn time<T>(&mut self, step: &'static str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let v = f();
        self.timings.push((step, t.elapsed()));
        v
    }
}

/// Loads the configuration with the base URL override applied.
pub fn config(opts: &Options) -> Result<Config, Diagnostic> {
    let mut config = Config::load(&opts.root)?;
    if let Some(url) = &opts.base_url {
        config
            .set_base_url(url)
            .map_err(|m| Diagnostic::error(m).hint("from --base-url or ERRKB_BASE_URL"))?;
    }
    Ok(config)
}

/// Load and validate: everything `errkb check` does.
pub fn check(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    match config(opts) {
        Ok(c) => out.config = c,
        Err(d) => {
            out.diagnostics.push(d);
            return out;
        }
    }
    let loaded = out.time("load", || load::load(&opts.root));
    let vopts = validate::Options {
        drafts: opts.drafts,
        external_links: opts.external_links,
    };
    let config = out.config.clone();
    let (site, diags) = out.time("validate", || validate::validate(loaded, &config, vopts));
    out.site = site;
    out.diagnostics.extend(diags);
    out
}

/// Check, then render every file in memory (nothing is written).
pub fn render_all(opts: &Options) -> Outcome {
    let mut out = check(opts);
    if out.has_errors() {
        return out;
    }
    let (theme, diags) = out.time("theme", || Theme::load(&opts.root));
    out.diagnostics.extend(diags);
    if out.has_errors() {
        return out;
    }
    let site = std::mem::take(&mut out.site);
    let config = out.config.clone();
    match out.time("render", || render::render(&site, &config, &theme)) {
        Ok(files) => out.files = files,
        Err(d) => out.diagnostics.extend(d),
    }
    out.site = site;
    out
}

/// Why a build did not complete.
#[derive(Debug)]
pub enum BuildError {
    /// The content or templates have errors (see the outcome's diagnostics).
    Content,
    /// The output could not be written (or may not be): usage or I/O.
    Output(String),
}

/// The whole build: refuse a bad output folder first, render, then stage and swap.
pub fn build(opts: &Options, output: &Path, force: bool) -> (Outcome, Result<(), BuildError>) {
    if let Err(m) = write::check_location(&opts.root, output, force) {
        return (Outcome::default(), Err(BuildError::Output(m)));
    }
    let mut out = render_all(opts);
    if out.has_errors() {
        return (out, Err(BuildError::Content));
    }
    let files = std::mem::take(&mut out.files);
    let res = out.time("write", || write::write(&opts.root, output, &files, force));
    out.files = files;
    (out, res.map_err(BuildError::Output))
}

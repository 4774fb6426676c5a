//! Runs the stages in order: load, validate, render, index, write. `check`, `build`
//! and `serve` all come through here, so they can never disagree. Nothing is written
//! when any stage reported an error.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::memo::Session;
use crate::model::Site;
use crate::output::{self, OutFile};
use crate::theme::Theme;
use crate::{i18n, index, load, render, validate, write};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    /// Overrides `base_url` from errkb.yaml.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Check external links too (network; `errkb check --external-links`).
    pub external_links: bool,
    /// The caches the stages use: remembers nothing by default (`build`, `check`);
    /// `serve` passes one it keeps between rebuilds.
    pub session: std::sync::Arc<Session>,
    /// Leave the search index out of [`render_all`], for [`search_index`] to make after
    /// the pages are out (`serve`: an edited page is served without waiting for the
    /// index, which depends on every entry).
    pub search_apart: bool,
}

/// What a run produced: always diagnostics, a site when it could be built.
#[derive(Debug, Default)]
pub struct Outcome {
    pub config: Config,
    pub site: Site,
    pub diagnostics: Vec<Diagnostic>,
    /// The files, when they were rendered into memory ([`render_all`]).
    pub files: Vec<OutFile>,
    /// How many files (and pages among them) were rendered.
    pub count: output::Counts,
    /// Why the output could not be written (a full disk), when that stopped the run.
    pub output_error: Option<String>,
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
        crate::timing::report_memory(step);
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
    let mut out = load_and_validate(opts);
    // The theme's own files: a missing translation is a warning `check` shows too.
    if !out.has_errors() {
        let (theme, diags) = out.time("theme", || Theme::load(&opts.root));
        out.diagnostics.extend(diags);
        let (Err(d) | Ok((_, d))) = strings(&theme, &out.config);
        out.diagnostics.extend(d);
    }
    opts.session.finish_run();
    out
}

/// The theme's strings in the configured language (warnings for missing keys).
fn strings(
    theme: &Theme,
    config: &Config,
) -> Result<(std::sync::Arc<i18n::Strings>, Vec<Diagnostic>), Vec<Diagnostic>> {
    i18n::load(theme, &config.language, config.language_at.as_ref())
        .map(|(s, warnings)| (std::sync::Arc::new(s), warnings))
}

fn load_and_validate(opts: &Options) -> Outcome {
    let mut out = Outcome::default();
    match config(opts) {
        Ok(c) => out.config = c,
        Err(d) => {
            out.diagnostics.push(d);
            return out;
        }
    }
    let session = &*opts.session;
    let loaded = out.time("load", || load::load(&opts.root, session));
    let vopts = validate::Options {
        drafts: opts.drafts,
        external_links: opts.external_links,
    };
    let config = out.config.clone();
    let (site, diags) = out.time("validate", || {
        validate::validate(loaded, &config, vopts, session)
    });
    out.site = site;
    out.diagnostics.extend(diags);
    out
}

/// Check, then render every file in memory (nothing is written).
pub fn render_all(opts: &Options) -> Outcome {
    let collect = render::Collect::default();
    let mut out = render_into(opts, &collect);
    out.files = collect.into_files();
    out
}

/// Check, then render every file into `sink` (`serve` keeps them its own way); `count`
/// is how many went there.
pub fn render_into(opts: &Options, sink: &dyn render::Sink) -> Outcome {
    let out = render_stages(opts, sink);
    // One end of run for every cache, whatever stage the run stopped at.
    opts.session.finish_run();
    out
}

fn render_stages(opts: &Options, sink: &dyn render::Sink) -> Outcome {
    let mut out = load_and_validate(opts);
    let session = &*opts.session;
    if out.has_errors() {
        return out;
    }
    let (theme, diags) = out.time("theme", || Theme::load(&opts.root));
    out.diagnostics.extend(diags);
    if out.has_errors() {
        return out;
    }
    let config = out.config.clone();
    let strings = match strings(&theme, &config) {
        Ok((s, warnings)) => {
            out.diagnostics.extend(warnings);
            s
        }
        Err(d) => {
            out.diagnostics.extend(d);
            return out;
        }
    };
    let site = std::mem::take(&mut out.site);
    let guard = output::Guard::new(sink);
    // Pages, the search index and the API are independent: make them at once (the API
    // catalog is one large JSON file, made on one core while the others render).
    let (pages, (search, api)) = out.time("render", || {
        rayon::join(
            || render::render(&site, &config, &theme, &strings, &guard, session),
            || {
                rayon::join(
                    || (!opts.search_apart).then(|| index::search::build(&site, &config, session)),
                    || index::api(&site, &config, session),
                )
            },
        )
    });
    if let Err(d) = pages {
        out.diagnostics.extend(d);
    }
    if let Some(search) = search {
        let search = out.time("index", || match search {
            Ok(s) => guard.put_all(s.files.into_iter().map(Ok).collect()),
            Err(m) => vec![search_error(m)],
        });
        out.diagnostics.extend(search);
    }
    // The editor schemas first: an entry `schema/entry` would make its API file at the
    // same path, and that file is the one reported.
    let schemas = validate::schema::files().into_iter().map(Ok).collect();
    out.diagnostics.extend(guard.put_all(schemas));
    out.diagnostics
        .extend(guard.put_all(api.into_iter().map(Ok).collect()));
    crate::timing::report_memory("api");
    out.count = guard.counts();
    out.output_error = guard.failure().map(str::to_string);
    out.site = site;
    out
}

fn search_error(m: String) -> Diagnostic {
    Diagnostic::error(m)
        .file(crate::config::CONFIG_FILE)
        .hint("raise the limit under `search:` in errkb.yaml")
}

/// The search index of a site that [`render_all`] made with `search_apart`: its files,
/// or the error that stops it (the index is over its size limits).
pub fn search_index(
    opts: &Options,
    site: &Site,
    config: &Config,
) -> Result<Vec<OutFile>, Diagnostic> {
    let index = index::search::build(site, config, &opts.session);
    // The run's other caches were finished with the pages; this ends the index's.
    opts.session.finish_run();
    index.map(|s| s.files).map_err(search_error)
}

/// Why a build did not complete.
#[derive(Debug)]
pub enum BuildError {
    /// The content or templates have errors (see the outcome's diagnostics).
    Content,
    /// The output could not be written (or may not be): usage or I/O.
    Output(write::OutputError),
}

/// The whole build: refuse a bad output folder first, then render straight into a
/// staging folder beside the output and swap it in. On any error the staging folder is
/// removed and the output is left as it was.
pub fn build(opts: &Options, output: &Path, force: bool) -> (Outcome, Result<(), BuildError>) {
    let staging = match write::Staging::new(&opts.root, output, force) {
        Ok(s) => s,
        Err(m) => return (Outcome::default(), Err(BuildError::Output(m))),
    };
    let mut out = render_into(opts, &staging);
    if let Some(m) = staging.failure().or_else(|| out.output_error.take()) {
        return (out, Err(BuildError::Output(write::OutputError::Io(m))));
    }
    if out.has_errors() {
        return (out, Err(BuildError::Content));
    }
    let res = out.time("write", || staging.finish());
    (out, res.map_err(BuildError::Output))
}

//! `errkb build`.

use std::path::PathBuf;

use super::{SiteArgs, exit, report};
use crate::pipeline::{self, BuildError};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder [default: `output_dir` from errkb.yaml, else public]
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Base URL the site is published at, e.g. https://example.org/kb/ (overrides errkb.yaml)
    #[arg(long, value_name = "URL", env = "ERRKB_BASE_URL")]
    pub base_url: Option<String>,
    /// Replace an existing output folder even if errkb did not create it
    #[arg(long)]
    pub force: bool,
    /// Print errors only: nothing on success, no warnings, no notes
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub(super) fn run(a: &Args) -> u8 {
    let opts = pipeline::Options {
        root: a.site.root.clone(),
        base_url: a.base_url.clone(),
        drafts: a.site.drafts,
        external_links: false,
        ..Default::default()
    };
    let output = match &a.output {
        Some(o) => o.clone(),
        None => match pipeline::config(&opts) {
            Ok(c) => a.site.root.join(c.output_dir),
            Err(d) => {
                report(&mut [d]);
                return exit::CONTENT;
            }
        },
    };
    let started = std::time::Instant::now();
    let (mut outcome, result) = pipeline::build(&opts, &output, a.force);
    if a.quiet {
        // Quiet is for scripts and CI logs: what needs a person (errors) and nothing else.
        outcome.diagnostics.retain(|d| d.is_error());
    }
    report(&mut outcome.diagnostics);
    if std::env::var_os("ERRKB_TIMINGS").is_some() {
        for (step, d) in &outcome.timings {
            eprintln!("timing: {step:<10} {:>8.1} ms", d.as_secs_f64() * 1e3);
        }
    }
    let code = match result {
        Ok(()) => {
            if !a.quiet {
                eprintln!(
                    "Built {} entries ({} pages, {} files) into {} in {} ms",
                    outcome.site.entries.len(),
                    outcome.count.pages,
                    outcome.count.files,
                    crate::term::line(&output.display().to_string()),
                    started.elapsed().as_millis()
                );
                if !outcome.config.has_absolute_base() {
                    eprintln!(
                        "note: base_url is `{}`, not an absolute URL: the sitemap, feed and canonical links are relative. \
                         Set base_url in errkb.yaml or ERRKB_BASE_URL when deploying.",
                        crate::term::line(&outcome.config.base_url)
                    );
                }
            }
            exit::OK
        }
        Err(BuildError::Content) => {
            eprintln!(
                "error: build failed; {} was not changed",
                crate::term::line(&output.display().to_string())
            );
            exit::CONTENT
        }
        Err(BuildError::Output(crate::write::OutputError::Interrupted)) => {
            eprintln!("interrupted: the output was not changed");
            exit::INTERRUPTED
        }
        Err(BuildError::Output(e)) => {
            anstream::eprintln!("error: {}", crate::term::text(&e.to_string()));
            exit::USAGE
        }
    };
    super::leave_to_exit(outcome);
    code
}

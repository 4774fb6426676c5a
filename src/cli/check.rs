//! `errkb check`.

use super::{SiteArgs, exit};
use crate::diag::{self, Format};
use crate::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub site: SiteArgs,
    /// How to print problems: `human` (like a compiler), `github` (workflow commands that
    /// annotate the pull request) or `json` (one object per line)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with an error on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also check external links in Markdown bodies (HTTP HEAD/GET with a timeout; failures are warnings)
    #[arg(long)]
    pub external_links: bool,
}

pub(super) fn run(a: &Args) -> u8 {
    let opts = pipeline::Options {
        root: a.site.root.clone(),
        base_url: None,
        drafts: a.site.drafts,
        external_links: a.external_links,
        ..Default::default()
    };
    let mut outcome = pipeline::render_all(&opts);
    let diags = &mut outcome.diagnostics;
    diag::sort(diags);
    let failed = diags.iter().any(|d| d.is_error() || a.deny_warnings);
    match a.format {
        Format::Human => {
            anstream::print!("{}", diag::render(diags, Format::Human, true));
            use std::io::Write;
            let _ = std::io::stdout().flush();
            if failed || !diags.is_empty() {
                anstream::eprintln!("{}", diag::summary(diags));
            } else {
                eprintln!(
                    "ok: {} in {}, no problems",
                    plural(outcome.site.entries.len(), "entry", "entries"),
                    plural(outcome.site.tools.len(), "tool", "tools")
                );
            }
        }
        f => print!("{}", diag::render(diags, f, false)),
    }
    super::leave_to_exit(outcome);
    if failed { exit::CONTENT } else { exit::OK }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

//! `errkb serve`.

use std::net::IpAddr;
use std::path::PathBuf;

use super::exit;
use crate::serve;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site's root folder
    #[arg(long, short = 'r', value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Port to listen on (the next free one is used if it is taken; 0 picks any)
    #[arg(long, short = 'p', default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on; the default serves this machine only
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Open the site in a browser
    #[arg(long)]
    pub open: bool,
    /// Include entries marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Print only problems, not a line per rebuild
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub(super) fn run(a: &Args) -> u8 {
    let opts = serve::Options {
        root: a.root.clone(),
        bind: a.bind,
        port: a.port,
        drafts: a.drafts,
        open: a.open,
        quiet: a.quiet,
    };
    match serve::run(&opts) {
        Ok(()) => exit::OK,
        Err(m) => {
            eprintln!("error: {}", crate::term::text(&m.to_string()));
            exit::USAGE
        }
    }
}

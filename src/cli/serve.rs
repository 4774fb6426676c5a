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
    return_memory_at_once();
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

/// `serve` runs for hours and rebuilds often; each rebuild's scratch memory (the search
/// index, the checks across entries) is freed, but by default the allocator keeps freed
/// pages a while for reuse, and across rebuilds that held ~80 MB more at 10,000 entries.
/// The allocator reads its settings from the environment when the process starts, so
/// serve starts itself again with the setting (same process: `exec` replaces it), unless
/// it is there already or the user chose another value.
fn return_memory_at_once() {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // The allocator's setting that returns freed memory to the system at once.
        let (name, value) = ("MIMALLOC_PURGE_DELAY", "0");
        if std::env::var_os(name).is_some() {
            return;
        }
        let Ok(me) = std::env::current_exe() else {
            return;
        };
        let mut args = std::env::args_os();
        let argv0 = args.next();
        let mut cmd = std::process::Command::new(me);
        if let Some(a0) = argv0 {
            cmd.arg0(a0);
        }
        // Returns only if the program could not be started again; serve then runs as it is.
        let _ = cmd.args(args).env(name, value).exec();
    }
}

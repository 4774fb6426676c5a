//! Command-line interface: clap definitions here, one short file per command that calls
//! the library.

mod build;
mod check;
mod eject;
mod explain;
mod gaps;
mod init;
mod match_;
mod new;
mod schema;
mod serve;
mod source;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::diag::{self, Diagnostic};

/// Exit codes shared by every command.
pub mod exit {
    /// Success (for `match`: something matched).
    pub const OK: u8 = 0;
    /// Content errors (or, for `match`, nothing matched).
    pub const CONTENT: u8 = 1;
    /// Usage or I/O errors.
    pub const USAGE: u8 = 2;
    /// Stopped by Ctrl-C or a signal (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Debug, Parser)]
#[command(
    name = "errkb",
    version = env!("ERRKB_VERSION"),
    about = "Build error knowledge bases: one page per error message, with safe fixes and search that understands pasted logs.",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour the output: `auto` colours a terminal unless NO_COLOR is set
    /// (CLICOLOR_FORCE colours a pipe too); `always` and `never` override both
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = Color::Auto)]
    pub color: Color,
}

/// The `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Makes every coloured stream of the process (diagnostics, `explain`, `match`)
    /// follow this choice: they all write through `anstream`, whose `auto` already
    /// honours NO_COLOR, CLICOLOR and CLICOLOR_FORCE.
    fn apply(self) {
        anstream::ColorChoice::write_global(match self {
            Color::Auto => anstream::ColorChoice::Auto,
            Color::Always => anstream::ColorChoice::Always,
            Color::Never => anstream::ColorChoice::Never,
        });
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default: public/).
    ///
    /// Checks every entry first and writes nothing if there is an error. The new site is
    /// staged beside the output folder and swapped in only when complete, so a failed
    /// build leaves the previous output as it was.
    Build(build::Args),
    /// Serve the site with live reload while you write entries.
    ///
    /// Builds in memory (public/ is never touched), serves it over HTTP and rebuilds when
    /// content/, templates/, static/ or errkb.yaml change. Open pages reload once the new
    /// build is complete; a broken change keeps the last good site and shows the problems
    /// over the page.
    Serve(serve::Args),
    /// Check every entry and template without writing anything.
    ///
    /// Reports all problems at once, each with its file, line and a hint. Exits 1 on any
    /// error (or any warning with --deny-warnings), so CI can stop a broken knowledge base.
    Check(check::Args),
    /// Create a skeleton entry with every required key and TODO markers.
    ///
    /// The file is `content/<tool>/<slug>.md`; the tool folder (with a _tool.yaml) is
    /// created when new. `errkb check` rejects the entry until every TODO is replaced.
    New(new::Args),
    /// Create a new knowledge-base site in an empty folder.
    ///
    /// Writes errkb.yaml (every key documented), one complete example entry, a .gitignore
    /// and a GitHub Actions workflow that checks, builds and publishes the site.
    Init(init::Args),
    /// Copy the built-in theme's files into the site, to start an override from them.
    ///
    /// With no FILE, copies every template and asset; files the site already has are kept.
    /// `errkb eject partials/entry/unsafe.html` copies one section of the entry page.
    Eject(eject::Args),
    /// Name the knowledge-base entries that a log shows, with their fix.
    ///
    /// Reads files or standard input (`some-ci-command 2>&1 | errkb match`), of any size,
    /// and prints each entry found once: the first matching line, the entry's title,
    /// likely cause, first fix command and URL. Exits 0 when something matched, 1 when
    /// nothing did, 2 on errors.
    #[command(name = "match")]
    Match(match_::Args),
    /// Print an entry in the terminal, by id or by the error text.
    Explain(explain::Args),
    /// Print the JSON Schema of an entry or of errkb.yaml, for editors.
    ///
    /// The built site serves the same files as api/schema/entry.json and
    /// api/schema/config.json; `errkb new` and `errkb init` point new files at them with a
    /// `# yaml-language-server: $schema=…` line.
    Schema(schema::Args),
    /// List the errors in CI logs that no entry covers yet, most frequent first.
    ///
    /// Reads files, folders, .gz files or standard input; keeps the lines that look like
    /// errors and that no entry matches, turns each into a template (paths, hosts,
    /// numbers… become slots like `<path>`) and ranks the templates by how many logs show
    /// them.
    /// With --new DIR, drafts an entry for each of the top templates.
    Gaps(gaps::Args),
    /// Print shell completions: `errkb completions bash > /etc/bash_completion.d/errkb`.
    Completions {
        /// The shell to generate completions for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Options shared by commands that read a site.
#[derive(Debug, Clone, clap::Args)]
pub struct SiteArgs {
    /// The site's root folder (holding errkb.yaml and content/).
    #[arg(long, short = 'r', value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Include entries marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

/// Parses `args` and runs the command; returns the process exit code.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match parse(args) {
        Ok(cli) => dispatch(cli),
        Err(code) => code,
    }
}

/// Parses the command line (applying `--color`), or prints help or the usage error and
/// gives the exit code to end with.
pub fn parse<I, T>(args: I) -> Result<Cli, u8>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // clap writes help and usage errors through `anstream` too: the choice must be made
    // before parsing for them to follow it.
    if let Some(color) = early_color(&args) {
        color.apply();
    }
    let cli = Cli::try_parse_from(args).map_err(|e| {
        let _ = e.print();
        if e.use_stderr() {
            exit::USAGE
        } else {
            exit::OK
        }
    })?;
    cli.color.apply();
    Ok(cli)
}

impl Cli {
    /// A command that does its work once and exits (`build`, `check`), as opposed to
    /// `serve`, which runs until stopped and should give memory back between edits.
    pub fn runs_once(&self) -> bool {
        matches!(self.command, Command::Build(_) | Command::Check(_))
    }
}

/// Runs a parsed command line; the exit code. The process is to exit right after it:
/// `build` and `check` leave their results to that exit (see `leave_to_exit`).
pub fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Build(a) => build::run(&a),
        Command::Check(a) => check::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::New(a) => new::run(&a),
        Command::Match(a) => match_::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Gaps(a) => gaps::run(&a),
        Command::Init(a) => init::run(&a),
        Command::Eject(a) => eject::run(&a),
        Command::Schema(a) => schema::run(&a),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "errkb", &mut std::io::stdout());
            exit::OK
        }
    }
}

/// Leaves a one-shot command's results (the site, and for `check` every rendered file)
/// to the process exit instead of freeing them allocation by allocation: `main` exits as
/// soon as [`dispatch`] returns, and freeing a 10,000-entry site took 45 ms on one core,
/// about 3 % of a build, while the system takes the memory back at once. Nothing in them
/// does anything when dropped but free memory (no files, locks or threads).
fn leave_to_exit<T>(results: T) {
    std::mem::forget(results);
}

/// The `--color` value of a command line, read before clap parses it; `None` when absent
/// or not one of the choices (clap then reports it).
fn early_color(args: &[OsString]) -> Option<Color> {
    use clap::ValueEnum;
    let mut value = None;
    let mut it = args.iter().skip(1).map(|a| a.to_str().unwrap_or(""));
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--color" {
            value = it.next();
        } else if let Some(v) = a.strip_prefix("--color=") {
            value = Some(v);
        }
    }
    Color::from_str(value?, false).ok()
}

/// Prints diagnostics to stderr in the human format (colour on a terminal, honouring
/// NO_COLOR), followed by a count.
pub fn report(diags: &mut [Diagnostic]) {
    if diags.is_empty() {
        return;
    }
    diag::sort(diags);
    anstream::eprint!("{}", diag::render(diags, diag::Format::Human, true));
    anstream::eprintln!("{}", diag::summary(diags));
}

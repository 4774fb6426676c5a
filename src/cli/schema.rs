//! `errkb schema entry|config`: the JSON Schema an editor uses to complete keys and flag
//! typos while typing (the same files the built site serves under `api/schema/`).

use super::exit;
use crate::validate::schema;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which file the schema describes
    #[arg(value_enum)]
    pub which: Which,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Which {
    /// An entry: a Markdown entry's front matter, or a YAML entry
    Entry,
    /// The site configuration, errkb.yaml
    Config,
}

pub(super) fn run(a: &Args) -> u8 {
    let value = match a.which {
        Which::Entry => schema::entry(),
        Which::Config => schema::config(),
    };
    use std::io::Write;
    match std::io::stdout()
        .lock()
        .write_all(schema::text(&value).as_bytes())
    {
        Ok(()) => exit::OK,
        // A closed pipe (`errkb schema entry | head`) is not worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("error: cannot write the schema: {e}");
            exit::USAGE
        }
    }
}

//! `errkb new <tool>/<slug>`: a skeleton entry with every required key (written by
//! [`crate::scaffold`], which `errkb gaps --new` shares).

use std::path::PathBuf;

use super::exit;
use crate::scaffold;
use crate::term;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new entry's id, `tool/slug` (e.g. docker/exec-format-error)
    pub id: String,
    /// The error message, exactly as the tool prints it
    #[arg(long, short = 't')]
    pub title: Option<String>,
    /// The site's root folder
    #[arg(long, short = 'r', value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

pub(super) fn run(a: &Args) -> u8 {
    match create(a) {
        Ok(path) => {
            eprintln!("created {}", term::line(&path.display().to_string()));
            eprintln!("fill in every `TODO:`; `errkb check` refuses the entry until none is left");
            exit::OK
        }
        Err(m) => {
            eprintln!("error: {}", term::text(&m));
            exit::USAGE
        }
    }
}

fn create(a: &Args) -> Result<PathBuf, String> {
    let draft = scaffold::Draft {
        title: a.title.clone(),
        ..Default::default()
    };
    scaffold::create(&a.root, &a.id, &draft)
}

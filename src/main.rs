//! The `errkb` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = errkb::cli::run(std::env::args_os());
    ExitCode::from(code)
}

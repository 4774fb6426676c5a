//! The `errkb` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

/// Rendering allocates many small strings on every thread; mimalloc does that faster
/// than the system allocator and gives freed memory back, which keeps `serve` flat.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let code = errkb::cli::run(std::env::args_os());
    ExitCode::from(code)
}

//! The `errkb` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

/// Rendering allocates many small strings on every thread; mimalloc does that faster
/// than the system allocator and gives freed memory back, which keeps `serve` flat.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match errkb::cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    // Before any thread starts: mimalloc's options are not thread safe to set.
    if cli.runs_once() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            keep_freed_memory();
        }
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
            small_pages_only();
        }
    }
    ExitCode::from(errkb::cli::dispatch(cli))
}

/// Turns transparent huge pages off for this process (Linux; a no-op elsewhere). With
/// them, the first touch of any part of a 2 MB region has the kernel zero all of it: a
/// families 10k build faulted in about 96 such pages, and on this project's virtual
/// machines zeroing fresh memory is what varies most between two runs of one binary.
/// Without them, only touched 4 kB pages are zeroed and peak memory is 10–20 % lower;
/// by their medians (`benches/ab.sh`), builds measured 7–16 % faster at 10k, 10–22 % for
/// the unique 50k corpus and the same for the families one. Left on for
/// `serve`, whose memory is measured over hours. `MIMALLOC_ALLOW_THP` in the environment
/// wins.
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// Tells mimalloc to keep the memory a one-shot command frees instead of returning it to
/// the system a second later. A 50,000-entry build frees the validation's automata and
/// maps, then renders into the same amount of memory again: returned, every page of it
/// was faulted in and zeroed again by the kernel (30,000–50,000 page faults and about
/// 1 s of system time; about 1,200 faults when kept). The process exits soon after, so
/// nothing is held for long. `serve` does not do this: it runs for hours and should
/// shrink after a large rebuild. `MIMALLOC_PURGE_DELAY` in the environment still wins.
#[allow(unsafe_code)]
fn keep_freed_memory() {
    // `mi_option_purge_delay` in mimalloc 3's `mi_option_e`; libmimalloc-sys names only
    // the options that kept their number since mimalloc 1. -1: never purge.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: `mi_option_set` stores an integer in mimalloc's option table and takes no
    // pointers. It is not thread safe, and this runs before the program starts any
    // thread (`main`, before dispatching the command).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    /// The option number is mimalloc's `purge_delay`: its default is mimalloc 3's 1,000 ms
    /// before the call (no other option near it has that default) and -1 after.
    #[test]
    #[allow(unsafe_code)]
    fn the_purge_delay_is_the_option_set() {
        // SAFETY: reads an integer from mimalloc's option table; the only test here.
        let get = || unsafe { libmimalloc_sys::mi_option_get(15) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(), 1000);
        }
        super::keep_freed_memory();
        assert_eq!(get(), -1);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn transparent_huge_pages_are_turned_off() {
        super::small_pages_only();
        assert_eq!(
            rustix::thread::transparent_huge_pages_are_disabled().ok(),
            Some(true)
        );
    }
}

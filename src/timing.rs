//! Time: today's date for the commands that need one, and `ERRKB_TIMINGS=1`, what each
//! stage cost. Timings are collected by the pipeline; this module prints the memory side,
//! and any stage may call it between its own steps.

/// Today's date in UTC (the date `updated:` is compared with and `new` writes).
pub fn today() -> jiff::civil::Date {
    let days = jiff::Timestamp::now().as_second().div_euclid(86_400);
    jiff::civil::Date::constant(1970, 1, 1)
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(jiff::civil::Date::constant(1970, 1, 1))
}

/// With `ERRKB_TIMINGS` set, prints the memory in use and the peak so far after `step`
/// (Linux only: read from /proc), and the wall and CPU time since the previous report.
pub fn report_memory(step: &str) {
    type Mark = (std::time::Instant, Option<u64>);
    static LAST: std::sync::Mutex<Option<Mark>> = std::sync::Mutex::new(None);
    if std::env::var_os("ERRKB_TIMINGS").is_none() {
        return;
    }
    let since = {
        let mut last = LAST
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = (std::time::Instant::now(), process_cpu_ns());
        let since =
            last.map(|(t, cpu)| (now.0 - t, now.1.zip(cpu).map(|(a, b)| a.saturating_sub(b))));
        *last = Some(now);
        since.map_or_else(String::new, |(d, cpu)| {
            let wall = d.as_secs_f64() * 1e3;
            // CPU time over wall time: how many cores the step kept busy (a serial
            // step shows about 1).
            let cores = cpu.filter(|_| wall > 0.0).map_or_else(String::new, |c| {
                format!(
                    ", {:.1} ms CPU ({:.1} cores)",
                    c as f64 / 1e6,
                    c as f64 / 1e6 / wall
                )
            });
            format!(", {wall:.1} ms since the last{cores}")
        })
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or_else(|| "?".to_string(), |kb| format!("{} MB", kb / 1024))
    };
    eprintln!(
        "memory: after {step:<12} {} in use, {} peak{since}",
        field("VmRSS:"),
        field("VmHWM:")
    );
}

/// CPU time of the whole process so far, in nanoseconds: the sum of its threads' run
/// times (`/proc/self/task/*/schedstat`, exact where `/proc/self/stat` counts 10 ms
/// ticks). Threads that have ended are not counted; the build's worker threads live as
/// long as the process. `None` where /proc is missing.
fn process_cpu_ns() -> Option<u64> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let mut total = 0u64;
    for t in tasks.flatten() {
        let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) else {
            continue;
        };
        total += s
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Some(total)
}

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
/// (Linux only: read from /proc), and the time since the previous report.
pub fn report_memory(step: &str) {
    static LAST: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);
    if std::env::var_os("ERRKB_TIMINGS").is_none() {
        return;
    }
    let since = {
        let mut last = LAST
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        let since = last.map(|t| now - t);
        *last = Some(now);
        since.map_or_else(String::new, |d| {
            format!(", {:.1} ms since the last", d.as_secs_f64() * 1e3)
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

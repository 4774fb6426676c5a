//! `errkb check --external-links`: every http(s) link in a body is fetched (HEAD, then
//! GET where HEAD is refused) with a timeout. Failures are warnings: the web changes
//! under us, and a flaky server must not block a deploy.

use std::collections::BTreeMap;
use std::time::Duration;

use rayon::prelude::*;

use super::links::External;
use crate::diag::Diagnostic;
use crate::model::Site;

/// Per request, connect plus response.
pub(super) const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a URL does not answer with success, if it does not.
pub(super) fn probe(url: &str) -> Option<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent("errkb-link-check")
        .build()
        .into();
    let status =
        |r: Result<ureq::http::Response<ureq::Body>, ureq::Error>| r.map(|r| r.status().as_u16());
    let mut res = status(agent.head(url).call());
    if matches!(res, Ok(403 | 405 | 501)) {
        res = status(agent.get(url).call());
    }
    match res {
        Ok(code) if code < 400 => None,
        Ok(code) => Some(format!("answered HTTP {code}")),
        Err(e) => Some(e.to_string()),
    }
}

pub(super) fn check(
    site: &Site,
    links: &[External],
    texts: &super::Texts,
    diags: &mut Vec<Diagnostic>,
) {
    let mut urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
    urls.sort_unstable();
    urls.dedup();
    // Network-bound: more threads than cores, in a pool of our own.
    let results: BTreeMap<&str, Option<String>> =
        match rayon::ThreadPoolBuilder::new().num_threads(16).build() {
            Ok(pool) => pool.install(|| urls.par_iter().map(|u| (*u, probe(u))).collect()),
            Err(_) => urls.iter().map(|u| (*u, probe(u))).collect(),
        };
    for l in links {
        if let Some(Some(why)) = results.get(l.url.as_str()) {
            let e = &site.entries[l.entry];
            diags.push(
                Diagnostic::warning(format!("external link {} {why}", l.url))
                    .file(&e.source)
                    .at(l.line, None, texts.get(&e.id).copied()),
            );
        }
    }
}

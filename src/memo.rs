//! Memoization of per-entry work, keyed by a hash of everything the work reads.
//!
//! `serve` re-runs the whole pipeline on every change; with these caches an unchanged
//! entry costs a hash and a lookup instead of a YAML parse or a page render, so a change
//! to one entry costs about that entry plus the pages that list it. Each run keeps only
//! the results it used, so memory stays flat however many edits there are. A miss is
//! the same computation a fresh build does, so results are identical by construction.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns the caches on for this process. Only `serve` runs the pipeline more than once;
/// a one-shot `build` would pay for memory it never reads back.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A cache whose entries live from one run to the next: what a run did not use is
/// dropped when the run ends ([`Memo::finish_run`]).
pub struct Memo<V> {
    inner: Mutex<Generations<V>>,
}

struct Generations<V> {
    previous: HashMap<Key, V>,
    current: HashMap<Key, V>,
}

pub type Key = [u8; 32];

impl<V: Clone> Memo<V> {
    pub fn new() -> Self {
        Memo {
            inner: Mutex::new(Generations {
                previous: HashMap::new(),
                current: HashMap::new(),
            }),
        }
    }

    /// The value for `key`, computing and remembering it on a miss.
    pub fn get_or(&self, key: Key, compute: impl FnOnce() -> V) -> V {
        if !enabled() {
            return compute();
        }
        if let Ok(mut g) = self.inner.lock() {
            if let Some(v) = g.current.get(&key) {
                return v.clone();
            }
            if let Some(v) = g.previous.remove(&key) {
                g.current.insert(key, v.clone());
                return v;
            }
        }
        let v = compute();
        if let Ok(mut g) = self.inner.lock() {
            g.current.insert(key, v.clone());
        }
        v
    }

    /// The value for `key`, if an earlier run or this one computed it.
    pub fn get(&self, key: &Key) -> Option<V> {
        if !enabled() {
            return None;
        }
        let mut g = self.inner.lock().ok()?;
        if let Some(v) = g.current.get(key) {
            return Some(v.clone());
        }
        let v = g.previous.remove(key)?;
        g.current.insert(*key, v.clone());
        Some(v)
    }

    pub fn put(&self, key: Key, v: V) {
        if !enabled() {
            return;
        }
        if let Ok(mut g) = self.inner.lock() {
            g.current.insert(key, v);
        }
    }

    /// Ends a run: what this run did not use is forgotten.
    pub fn finish_run(&self) {
        if let Ok(mut g) = self.inner.lock() {
            let current = std::mem::take(&mut g.current);
            g.previous = current;
        }
    }

    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .map(|g| g.previous.len() + g.current.len())
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<V: Clone> Default for Memo<V> {
    fn default() -> Self {
        Memo::new()
    }
}

/// Hashes values that serialize: the key of a piece of work is its inputs.
pub struct KeyBuilder(blake3::Hasher);

impl KeyBuilder {
    pub fn new(kind: &str) -> Self {
        let mut h = blake3::Hasher::new();
        h.update(kind.as_bytes());
        KeyBuilder(h)
    }

    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }

    pub fn json<T: serde::Serialize + ?Sized>(self, v: &T) -> Self {
        let s = serde_json::to_vec(v).unwrap_or_default();
        self.bytes(&s)
    }

    pub fn key(self) -> Key {
        *self.0.finalize().as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_the_last_run_used() {
        enable();
        let m: Memo<u32> = Memo::new();
        let k = |s: &str| KeyBuilder::new("t").bytes(s.as_bytes()).key();
        let mut calls = 0;
        assert_eq!(
            m.get_or(k("a"), || {
                calls += 1;
                1
            }),
            1
        );
        assert_eq!(
            m.get_or(k("b"), || {
                calls += 1;
                2
            }),
            2
        );
        m.finish_run();
        assert_eq!(
            m.get_or(k("a"), || {
                calls += 1;
                9
            }),
            1,
            "hit from the last run"
        );
        m.finish_run();
        assert_eq!(m.len(), 1, "b was not used by the second run");
        assert_eq!(
            m.get_or(k("b"), || {
                calls += 1;
                3
            }),
            3
        );
        assert_eq!(calls, 3);
    }
}

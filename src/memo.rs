//! Memoization of per-entry work, keyed by a hash of everything the work reads.
//!
//! `serve` re-runs the whole pipeline on every change; with these caches an unchanged
//! entry costs a hash and a lookup instead of a YAML parse or a page render, so a change
//! to one entry costs about that entry plus the pages that list it. Each run keeps only
//! the results it used, so memory stays flat however many edits there are. A miss is
//! the same computation a fresh build does, so results are identical by construction.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The caches of one pipeline: `build` and `check` make a fresh one that remembers
/// nothing (a one-shot run would pay for memory it never reads back), `serve` keeps one
/// between rebuilds. Stages get the caches they use from it by name; the pipeline ends
/// each run with [`Session::finish_run`].
#[derive(Default)]
pub struct Session {
    keep: bool,
    caches: Mutex<HashMap<&'static str, Slot>>,
}

/// One named cache, seen both as its own type and as something that has runs.
#[derive(Clone)]
struct Slot {
    any: Arc<dyn Any + Send + Sync>,
    runs: Arc<dyn Runs>,
}

trait Runs: Send + Sync {
    fn finish_run(&self);
}

/// What [`Session::shared`] state does at the end of a run: nothing.
struct NoRuns;

impl Runs for NoRuns {
    fn finish_run(&self) {}
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("keep", &self.keep).finish()
    }
}

impl Session {
    /// Caches that remember nothing: every lookup computes.
    pub fn one_shot() -> Session {
        Session::default()
    }

    /// Caches kept from one run to the next (`serve`).
    pub fn kept() -> Session {
        Session {
            keep: true,
            caches: Mutex::default(),
        }
    }

    /// Whether results are kept between runs (`serve`).
    pub fn keeps(&self) -> bool {
        self.keep
    }

    /// The cache called `name`, made on first use.
    pub fn memo<V: Clone + Send + Sync + 'static>(&self, name: &'static str) -> Arc<Memo<V>> {
        let fresh = || Arc::new(Memo::new(self.keep));
        let Ok(mut caches) = self.caches.lock() else {
            return Arc::new(Memo::new(false));
        };
        if let Some(slot) = caches.get(name) {
            // One name, one type: a second type under the same name gets a cache of its
            // own that remembers nothing, rather than another's values.
            return slot.any.clone().downcast::<Memo<V>>().unwrap_or_else(|_| {
                debug_assert!(false, "cache `{name}` asked for with two types");
                Arc::new(Memo::new(false))
            });
        }
        let memo = fresh();
        caches.insert(
            name,
            Slot {
                any: memo.clone(),
                runs: memo.clone(),
            },
        );
        memo
    }

    /// State called `name` that lives as long as the session and has no runs (a table
    /// that cached values refer into), made on first use.
    pub fn shared<T: Default + Send + Sync + 'static>(&self, name: &'static str) -> Arc<T> {
        let Ok(mut caches) = self.caches.lock() else {
            return Arc::default();
        };
        if let Some(slot) = caches.get(name) {
            return slot.any.clone().downcast::<T>().unwrap_or_else(|_| {
                debug_assert!(false, "state `{name}` asked for with two types");
                Arc::default()
            });
        }
        let value: Arc<T> = Arc::default();
        caches.insert(
            name,
            Slot {
                any: value.clone(),
                runs: Arc::new(NoRuns),
            },
        );
        value
    }

    /// Ends a run: each cache this run used forgets what the run did not use. A cache
    /// the run never reached (a render cache after a run that stopped at errors) keeps
    /// its entries for the next run.
    pub fn finish_run(&self) {
        let slots: Vec<Slot> = self
            .caches
            .lock()
            .map(|c| c.values().cloned().collect())
            .unwrap_or_default();
        for s in slots {
            s.runs.finish_run();
        }
    }
}

/// A cache whose entries live from one run to the next: what a run did not use is
/// dropped when the run ends.
///
/// Split in shards by key, so the threads of a parallel stage rarely wait for each other
/// (each run looks up every entry of the site in several caches).
pub struct Memo<V> {
    keep: bool,
    /// Set by any lookup; a run that never looked leaves the cache as it was.
    used: AtomicBool,
    shards: [Mutex<Shard<V>>; SHARDS],
}

const SHARDS: usize = 16;

/// Each value with whether this run used it. A run marks what it uses in place (one
/// lookup), and the end of the run drops the rest: moving every used value from one
/// generation's map to the next was most of the cache's cost on a `serve` edit, which
/// looks up every entry of the site in several caches.
struct Shard<V> {
    map: HashMap<Key, (V, bool), KeyHash>,
}

impl<V> Default for Shard<V> {
    fn default() -> Self {
        Shard {
            map: HashMap::default(),
        }
    }
}

pub type Key = [u8; 32];

/// Keys are blake3 hashes, as evenly spread as a hash can be: their first bytes are the
/// map's hash, with no second hashing.
#[derive(Default, Clone, Copy)]
struct KeyHash;

impl std::hash::BuildHasher for KeyHash {
    type Hasher = KeyHasher;
    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(0)
    }
}

struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // A `[u8; 32]` hashes as its length, then its bytes: keep the first 8 of those.
        if bytes.len() >= 8 {
            let mut first = [0u8; 8];
            first.copy_from_slice(&bytes[..8]);
            self.0 ^= u64::from_le_bytes(first);
        } else {
            for &b in bytes {
                self.0 = self.0.rotate_left(8) ^ u64::from(b);
            }
        }
    }
}

impl<V: Clone> Memo<V> {
    /// A cache that remembers (`keep`) or computes every time.
    pub fn new(keep: bool) -> Self {
        Memo {
            keep,
            used: AtomicBool::new(false),
            shards: std::array::from_fn(|_| Mutex::default()),
        }
    }

    fn shard(&self, key: &Key) -> &Mutex<Shard<V>> {
        // The last byte: the map hashes with the first ones.
        &self.shards[usize::from(key[31]) % SHARDS]
    }

    /// Whether this cache remembers values between runs.
    pub fn keeps(&self) -> bool {
        self.keep
    }

    /// `make()` when this cache remembers values; otherwise one constant key, unmade. A
    /// cache that computes every time never looks a key up, and a one-shot `build`
    /// would hash every entry several times over for nothing (about 3 % of its CPU).
    /// A key that other caches read too (an entry's fingerprint) is made by whether
    /// the session keeps its caches instead.
    pub fn key(&self, make: impl FnOnce() -> Key) -> Key {
        if self.keep { make() } else { [0; 32] }
    }

    /// The value for `key`, computing and remembering it on a miss.
    pub fn get_or(&self, key: Key, compute: impl FnOnce() -> V) -> V {
        if let Some(v) = self.get(&key) {
            return v;
        }
        let v = compute();
        self.put(key, v.clone());
        v
    }

    /// The value for `key`, if an earlier run or this one computed it.
    pub fn get(&self, key: &Key) -> Option<V> {
        if !self.keep {
            return None;
        }
        self.used.store(true, Ordering::Relaxed);
        let mut g = self.shard(key).lock().ok()?;
        let (v, used) = g.map.get_mut(key)?;
        *used = true;
        Some(v.clone())
    }

    pub fn put(&self, key: Key, v: V) {
        if !self.keep {
            return;
        }
        self.used.store(true, Ordering::Relaxed);
        if let Ok(mut g) = self.shard(&key).lock() {
            g.map.insert(key, (v, true));
        }
    }

    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .filter_map(|s| s.lock().ok().map(|g| g.map.len()))
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<V: Clone + Send + Sync> Runs for Memo<V> {
    fn finish_run(&self) {
        if !self.used.swap(false, Ordering::Relaxed) {
            return;
        }
        for shard in &self.shards {
            if let Ok(mut g) = shard.lock() {
                // What this run used stays, marked unused for the next run; the rest is
                // dropped.
                g.map.retain(|_, (_, used)| std::mem::replace(used, false));
            }
        }
    }
}

/// Hashes values that serialize: the key of a piece of work is its inputs.
///
/// The hasher is boxed: it is large (about 2 KB), and a builder moves with each call, so
/// a key made of thousands of parts (a list page's) would copy it thousands of times.
pub struct KeyBuilder(Box<blake3::Hasher>);

impl KeyBuilder {
    pub fn new(kind: &str) -> Self {
        let mut h = Box::new(blake3::Hasher::new());
        h.update(kind.as_bytes());
        KeyBuilder(h)
    }

    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.0.update(&(b.len() as u64).to_le_bytes());
        self.0.update(b);
        self
    }

    pub fn json<T: serde::Serialize + ?Sized>(self, v: &T) -> Self {
        match serde_json::to_vec(v) {
            Ok(s) => self.bytes(&s),
            // Only a type no key is made of can fail here (a map with non-string keys).
            // Then the key is made unique: a failure costs the cache, and can never hit a
            // value that other inputs made.
            Err(_) => {
                static FAILED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = FAILED.fetch_add(1, Ordering::Relaxed);
                self.bytes(b"unserializable")
                    .bytes(&n.to_le_bytes())
                    .bytes(&std::process::id().to_le_bytes())
            }
        }
    }

    pub fn key(self) -> Key {
        *self.0.finalize().as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_made_only_for_caches_that_keep() {
        let made = std::cell::Cell::new(0);
        let make = || {
            made.set(made.get() + 1);
            KeyBuilder::new("t").bytes(b"a").key()
        };
        let kept = Session::kept().memo::<u32>("t");
        assert_eq!(kept.key(make), KeyBuilder::new("t").bytes(b"a").key());
        assert_eq!(made.get(), 1);
        let once = Session::one_shot().memo::<u32>("t");
        assert_eq!(once.key(make), [0; 32]);
        assert_eq!(made.get(), 1, "a one-shot cache made a key");
        // And it computes every time, whatever the key.
        let mut calls = 0;
        once.get_or([0; 32], || {
            calls += 1;
            1
        });
        once.get_or([0; 32], || {
            calls += 1;
            2
        });
        assert_eq!(calls, 2);
    }

    #[test]
    fn keeps_what_the_last_run_used() {
        let session = Session::kept();
        let m = session.memo::<u32>("t");
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
        session.finish_run();
        assert_eq!(
            m.get_or(k("a"), || {
                calls += 1;
                9
            }),
            1,
            "hit from the last run"
        );
        session.finish_run();
        assert_eq!(m.len(), 1, "b was not used by the second run");
        assert_eq!(
            m.get_or(k("b"), || {
                calls += 1;
                3
            }),
            3
        );
        assert_eq!(calls, 3);
        // A run that never looks at the cache leaves it as it was.
        session.finish_run();
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn a_one_shot_session_remembers_nothing() {
        let session = Session::one_shot();
        let m = session.memo::<u32>("t");
        let k = KeyBuilder::new("t").key();
        assert_eq!(m.get_or(k, || 1), 1);
        assert_eq!(m.get_or(k, || 2), 2);
        assert!(m.is_empty());
    }

    #[test]
    fn one_name_is_one_cache() {
        let session = Session::kept();
        let k = KeyBuilder::new("t").key();
        session.memo::<u32>("a").put(k, 7);
        assert_eq!(session.memo::<u32>("a").get(&k), Some(7));
        assert_eq!(session.memo::<u32>("b").get(&k), None);
    }
}

// The search tokenizer and the index's hashing, as the build does them: the same rules
// as src/index/tokenize.rs (`tokens`, `fnv1a`) and `shard_key` in src/index/search.rs.
// tests/vectors/search.json holds the cases both sides must agree on (checked by
// `cargo test --lib` and tests/js/search-vectors.mjs, in Node and in Chromium).
//
// A token is a run of letters, digits, `_` and the connectors `. / : @ -`, connectors
// trimmed from both ends (a leading `/` is kept); a token with a connector is kept whole
// and split into its parts. Lower-cased; stop words and tokens over 64 characters are
// dropped.

export const MAX_TOKEN_CHARS = 64;
const STOP = new Set(["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "if", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "with", "you", "your"]);
const WORD = /[\p{Alphabetic}\p{N}_]/u;
const CONNECTOR = /[./:@-]/;

function trimConnectors(s) {
  let a = 0;
  let b = s.length;
  while (a < b && CONNECTOR.test(s[a])) a++;
  while (b > a && CONNECTOR.test(s[b - 1])) b--;
  return s.slice(a, b);
}

// Characters as Rust counts them (code points, not UTF-16 units).
export function charCount(s) {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function tokens(text) {
  const out = [];
  const short = (t) => charCount(t) <= MAX_TOKEN_CHARS;
  const emit = (run) => {
    const trimmed = trimConnectors(run);
    if (!trimmed) return;
    const whole = run.startsWith("/") ? "/" + trimmed : trimmed;
    if (CONNECTOR.test(whole)) {
      if (short(whole)) out.push(whole);
      for (const part of whole.split(/[./:@-]/)) {
        if (part && short(part) && !STOP.has(part)) out.push(part);
      }
    } else if (short(whole) && !STOP.has(whole)) {
      out.push(whole);
    }
  };
  let run = "";
  for (const c of text.toLowerCase()) {
    if (WORD.test(c) || CONNECTOR.test(c)) {
      run += c;
    } else if (run) {
      emit(run);
      run = "";
    }
  }
  if (run) emit(run);
  return out;
}

// FNV-1a (32 bits) over the UTF-8 bytes: which signature shard holds a key word.
export function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// The bits a word sets in the key-word filter of m bits (a power of two), as
// `key_bits` in src/index/tokenize.rs makes them: double hashing from FNV-1a.
export function keyBits(word, m) {
  const h1 = fnv1a(word);
  const h2 = (Math.imul(h1 ^ (h1 >>> 15), 0x2c1b3c6d) | 1) >>> 0;
  const out = [];
  for (let i = 0; i < 3; i++) out.push(((h1 + Math.imul(i, h2)) >>> 0) & (m - 1));
  return out;
}

// Whether a word may be a key word, by the filter's hex digits (bit p in digit p >> 2);
// a word it leaves out is no pattern's key.
export function mayBeKey(hex, m, word) {
  return keyBits(word, m).every((p) => (parseInt(hex[p >> 2], 16) >> (p & 3)) & 1);
}

// The term shard of a term: hex of the UTF-8 of its first two characters.
export function hexKey(term) {
  const two = Array.from(term).slice(0, 2).join("");
  return Array.from(new TextEncoder().encode(two), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The two search tiers and how their results are merged (see search.js for what each
// tier does): pure functions of a query and an `Index` (search-index.js), no page.

import { normalizeLine, cleanLine } from "./pattern.js";
import { limitQuery, slicer } from "./limits.js";
import { charCount, hexKey, tokens } from "./tokenize.js";

// Exact matches listed past the caller's limit: every entry a pasted log shows, up to this.
const MAX_EXACT = 20;
// Words of a pasted (not typed) query that the keyword tier looks up.
const MAX_PASTED_WORDS = 6;

// Full-text hits: best score first; equal scores by entry number, as the build cuts a
// term's postings (`by_score` in src/index/search.rs). Vectors: tests/vectors/search.json.
export function byScore(a, b) {
  return b.score - a.score || a.doc - b.doc;
}

// Exact (signature) hits: most specific first, then the earliest line, then entry number.
// Within one line this is `rank` in src/pattern/set.rs, and the first hit is the entry
// `errkb explain` picks (`Catalog::best`). Vectors: tests/vectors/search.json.
export function byExact(a, b) {
  return b.spec - a.spec || a.lineNo - b.lineNo || a.doc - b.doc;
}

function editDistanceAtMostOne(a, b) {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    // one substitution, or one transposition of neighbours
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function splitQuery(q) {
  const phrases = [];
  const rest = q.replace(/"([^"]+)"/g, (_, p) => {
    phrases.push(p.toLowerCase());
    return " ";
  });
  return { phrases, rest };
}

// The words a line's key words are looked up by, taken from the raw line with colour
// codes removed: cleaning a line only removes words (timestamps, prefixes), so this finds
// every candidate, and only lines with a candidate are cleaned and matched. As
// `errkb match` does it: most lines of a log have none.
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]/g;
function rawWords(line) {
  return line.replace(ANSI, "").toLowerCase().match(/[a-z0-9_]{3,}/g) || [];
}

// `{ exact, generic }`, or `null` when a newer search made this one pointless.
async function signatureHits(index, lines, typing, superseded) {
  const tick = slicer();
  const stop = async () => {
    if (!tick.due()) return false;
    await tick.pause();
    return Boolean(superseded && superseded());
  };
  const raw = [];
  for (const line of lines) {
    raw.push(rawWords(line));
    if (await stop()) return null;
  }
  const words = new Set();
  for (const ws of raw) for (const w of ws) words.add(w);
  // While typing, the last word is probably cut short: fetching the shard of every
  // prefix of it would download most of the signature index. It counts once it ends.
  const norm = [];
  if (typing) {
    for (const line of lines) {
      norm.push(normalizeLine(line));
      if (await stop()) return null;
    }
  }
  if (typing && norm.length > 0) {
    const last = norm[norm.length - 1].toLowerCase();
    const m = last.match(/([a-z0-9_]+)$/);
    if (m) {
      const inner = last.slice(0, last.length - m[1].length).match(/[a-z0-9_]{3,}/g) || [];
      if (!inner.includes(m[1]) && !norm.slice(0, -1).some((n) => n.toLowerCase().includes(m[1]))) words.delete(m[1]);
    }
  }
  if (words.size === 0 && !index.manifest.any) return { exact: [], generic: [] };
  const { byKey, any } = await index.signatures(words);
  const best = new Map();
  // Lines only context patterns match: their entries (ascending), the line.
  const summaries = [];
  for (let i = 0; i < lines.length; i++) {
    if (await stop()) return null;
    const keyed = raw[i].filter((w) => byKey.has(w));
    if (keyed.length === 0 && any.length === 0) continue;
    const n = norm[i] !== undefined ? norm[i] : normalizeLine(lines[i]);
    if (!n) continue;
    const cands = new Set(any);
    for (const w of keyed) {
      const list = byKey.get(w);
      const t = index.keyTest(w, list);
      const may = (re) => re === undefined || (re !== null && re.test(n));
      if (!may(t.i) && !may(t.s)) continue;
      for (const r of list) cands.add(r);
    }
    const context = [];
    let specific = false;
    for (const rec of cands) {
      // A pattern is compiled the first time a line may match it: a line of a fresh
      // paste can bring up many, so the page is given back here too.
      if (rec.compiled === undefined && tick.due() && (await stop())) return null;
      const re = index.pattern(rec);
      if (!re || !re.find(n)) continue;
      if (rec[5] === 1) {
        if (!context.includes(rec[0])) context.push(rec[0]);
        continue;
      }
      specific = true;
      const prev = best.get(rec[0]);
      if (!prev || rec[3] > prev.spec) best.set(rec[0], { doc: rec[0], spec: rec[3], line: cleanLine(lines[i]).trim(), lineNo: i + 1 });
    }
    if (!specific && context.length > 0) summaries.push({ docs: context.sort((a, b) => a - b), line: cleanLine(lines[i]).trim(), lineNo: i + 1 });
  }
  const exact = Array.from(best.values()).sort(byExact);
  const generic = new Map();
  for (const s of summaries) {
    // A line of the family that says which error it is explains the summary line.
    if (s.docs.some((d) => best.has(d))) continue;
    for (const d of s.docs) if (!generic.has(d)) generic.set(d, { doc: d, line: s.line, lineNo: s.lineNo });
  }
  return { exact, generic: Array.from(generic.values()) };
}

async function fullText(index, query, typing) {
  const { phrases, rest } = splitQuery(query);
  let words = tokens(rest);
  const phraseWords = phrases.flatMap((p) => tokens(p));
  words = words.concat(phraseWords).slice(0, 64);
  if (words.length === 0) return { hits: [], terms: [] };
  const lastOpen = typing && !/[\s"]$/.test(query) && rest.trim().length > 0;
  // A single letter being typed would fetch a shard for nothing.
  if (lastOpen && words.length > 0 && charCount(words[words.length - 1]) < 2) words.pop();
  // A pasted error line is a dozen words, each with its own shard; its exact match comes
  // from the signature tier, and the longest words (codes, names) carry the rest.
  if (!typing && phraseWords.length === 0) {
    const unique = Array.from(new Set(words));
    if (unique.length > MAX_PASTED_WORDS) {
      const keep = new Set(unique.slice().sort((a, b) => charCount(b) - charCount(a)).slice(0, MAX_PASTED_WORDS));
      words = words.filter((w) => keep.has(w));
    }
  }
  if (words.length === 0) return { hits: [], terms: [] };
  const scores = new Map();
  const matchedWords = new Map();
  const seen = new Set();
  const terms = [];
  // Fetch every word's shard at once rather than one round trip after another.
  const unique = Array.from(new Set(words));
  const shards = new Map(await Promise.all(unique.map(async (w) => [w, await index.shard(hexKey(w))])));
  for (let wi = 0; wi < words.length; wi++) {
    const w = words[wi];
    if (seen.has(w)) continue;
    seen.add(w);
    const shard = shards.get(w);
    const found = [];
    if (shard) {
      if (shard.has(w)) found.push([w, 1]);
      const isLast = lastOpen && wi === tokens(rest).length - 1;
      if (isLast && charCount(w) >= 2) {
        let n = 0;
        for (const t of shard.keys()) {
          if (t !== w && t.startsWith(w)) {
            found.push([t, 0.7]);
            if (++n >= 30) break;
          }
        }
      }
      if (found.length === 0 && charCount(w) >= 5) {
        for (const t of shard.keys()) if (editDistanceAtMostOne(w, t)) found.push([t, 0.5]);
      }
    }
    for (const [t, factor] of found) {
      terms.push(t);
      for (const [doc, s] of index.postings(shard.get(t))) {
        scores.set(doc, (scores.get(doc) || 0) + s * factor);
        if (!matchedWords.has(doc)) matchedWords.set(doc, new Set());
        matchedWords.get(doc).add(w);
      }
    }
  }
  const wanted = seen.size;
  let hits = Array.from(scores, ([doc, s]) => {
    const m = matchedWords.get(doc).size;
    return { doc, score: s * Math.pow(m / wanted, 2) };
  });
  if (phraseWords.length) {
    const must = new Set(phraseWords);
    hits = hits.filter((h) => Array.from(must).every((w) => matchedWords.get(h.doc).has(w)));
  }
  hits.sort(byScore);
  return { hits, terms, phrases };
}

// Starts downloading the index files a query will need, without searching: called on
// every keystroke of a fast burst, so the search after the burst finds them cached.
// Prefixes of a word share its term shard, and an unfinished last word is left out of
// the signature shards, so this downloads what the final search would anyway.
export function prefetch(index, query) {
  if (!index.manifest) return;
  const lines = limitQuery(query).lines.slice(0, 20);
  const text = lines.join(" ");
  for (const w of new Set(tokens(text))) {
    if (charCount(w) >= 2) index.shard(hexKey(w)).catch(() => {});
  }
  const complete = (normalizeLine(text).toLowerCase().replace(/[a-z0-9_]+$/, "").match(/[a-z0-9_]{3,}/g) || []);
  // Fetched only: compiling their patterns waits for the search, between keys.
  if (complete.length) index.signatureFiles(new Set(complete)).catch(() => {});
}

// `typing`: the query came key by key (its last word may be a prefix); `settled`: typing
// has paused, so the last word is whole as far as exact matches go.
export async function search(index, query, limit, typing, superseded, settled) {
  await index.load();
  const { lines, note } = limitQuery(query);
  // Both tiers at once; a long paste is a log, not keywords: full text adds little but
  // noise there.
  const [sig, ft] = await Promise.all([
    signatureHits(index, lines, typing && !settled, superseded),
    lines.length <= 20 ? fullText(index, lines.join(" "), typing) : { hits: [], terms: [], phrases: [] },
  ]);
  if (sig === null) return null;
  const out = [];
  const used = new Set();
  // Every entry a pasted log shows is listed (up to a bound), however short the list.
  for (const h of sig.exact) {
    if (out.length >= Math.max(limit, MAX_EXACT)) break;
    used.add(h.doc);
    out.push({ doc: h.doc, exact: true, line: h.line, lineNo: h.lineNo });
  }
  for (const h of sig.generic) {
    if (out.length >= Math.max(limit, MAX_EXACT)) break;
    used.add(h.doc);
    out.push({ doc: h.doc, exact: false, generic: true, line: h.line, lineNo: h.lineNo });
  }
  for (const h of ft.hits) {
    if (out.length >= limit) break;
    if (used.has(h.doc)) continue;
    // Phrases must appear in the title or summary.
    out.push({ doc: h.doc, exact: false });
  }
  // A newer keystroke has its own search: do not fetch documents for this one.
  if (superseded && superseded()) return null;
  const docs = await Promise.all(out.map((r) => index.doc(r.doc)));
  const results = out.map((r, i) => Object.assign(r, docs[i]));
  const words = tokens(query.slice(0, 2000));
  if (ft.phrases && ft.phrases.length) {
    return {
      results: results.filter((r) => r.exact || r.generic || ft.phrases.every((p) => (r.title + " " + r.summary).toLowerCase().includes(p))),
      words,
      note,
    };
  }
  return { results, words, note };
}
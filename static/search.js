// Search that understands pasted errors.
//
// Two tiers, both read from the split index the build writes in search/<version>/
// (see src/index/search.rs for the file formats):
//  1. Signatures: every line of the query is cleaned like `errkb match` does it and run
//     against the entries' patterns (compiled to RegExp at build time). Hits are exact:
//     they come first, most specific first, quoting the matching line. A line that only
//     `context:` patterns match (a summary line a family of errors prints) lists their
//     entries after them as "Generic line" candidates, unless one of those entries has
//     an exact match of its own in the query, as `errkb match` does.
//  2. Full text: BM25F over title, patterns, summary, cause, tags, tool and body, with
//     prefix matching on the word being typed and one typo allowed in words of 5+
//     letters. The tokenizer keeps codes, paths and dotted names (src/index/tokenize.rs).
// The index loads on first focus of the search box; shards are fetched as queries need
// them and kept for the page's lifetime.
//
// Whatever is pasted or linked (`search/?q=` of any length), one search does bounded
// work and never holds the page (see limits.js): it reads at most 10,000 lines of at
// most 2,000 characters, says so when it cut the input, and gives the main thread back
// every few milliseconds. The patterns themselves are safe for a backtracking engine: `errkb check` refuses regexes
// that are not, and templates compile to a form that cannot backtrack much
// (src/pattern/backtrack.rs, src/pattern/template.rs).

import { normalizeLine, cleanLine, compile } from "./pattern.js";
import { MAX_LINE_CHARS, cutAt, limitQuery, queryParam, slicer } from "./limits.js";

// Most characters of a `search/?q=` query put into the search page's text area.
const MAX_SHOWN_CHARS = 10000;
// Results in the box's list; "All results" opens the search page with more.
const MAX_RESULTS = 5;
const MAX_PAGE_RESULTS = 30;
const MAX_EXACT = 20;
// Words of a pasted (not typed) query that the keyword tier looks up.
const MAX_PASTED_WORDS = 6;
const STOP = new Set(["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "if", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "with", "you", "your"]);
const WORD = /[\p{Alphabetic}\p{N}_]/u;
const CONNECTOR = /[./:@-]/;

// ---------- tokenizer (mirrors src/index/tokenize.rs) ----------

function trimConnectors(s) {
  let a = 0;
  let b = s.length;
  while (a < b && CONNECTOR.test(s[a])) a++;
  while (b > a && CONNECTOR.test(s[b - 1])) b--;
  return s.slice(a, b);
}

function charCount(s) {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function tokens(text) {
  const out = [];
  const emit = (run) => {
    const trimmed = trimConnectors(run);
    if (!trimmed) return;
    const whole = run.startsWith("/") ? "/" + trimmed : trimmed;
    if (/[./:@-]/.test(whole)) {
      if (charCount(whole) <= 64) out.push(whole);
      for (const part of whole.split(/[./:@-]/)) {
        if (part && charCount(part) <= 64 && !STOP.has(part)) out.push(part);
      }
    } else if (charCount(whole) <= 64 && !STOP.has(whole)) {
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

export function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function hexKey(term) {
  const two = Array.from(term).slice(0, 2).join("");
  return Array.from(new TextEncoder().encode(two), (b) => b.toString(16).padStart(2, "0")).join("");
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

// ---------- the index ----------

class Index {
  constructor(manifestUrl) {
    this.url = manifestUrl;
    this.dir = manifestUrl.slice(0, manifestUrl.lastIndexOf("/") + 1);
    this.manifest = null;
    this.cache = new Map();
  }

  load() {
    if (!this.ready) {
      // The manifest's address is fixed, so ask the server whether it changed; the
      // versioned files it points to never do.
      this.ready = fetch(this.url, { cache: "no-cache" })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error("search index: HTTP " + r.status))))
        .then((m) => {
          this.manifest = m;
          if (m.dir) this.dir = new URL(m.dir, new URL(this.url, document.baseURI)).href;
          this.termKeys = new Set(m.terms ? m.terms.split(" ") : []);
          return m;
        });
    }
    return this.ready;
  }

  file(name, kind) {
    if (!this.cache.has(name)) {
      const p = fetch(this.dir + name).then((r) => {
        if (!r.ok) throw new Error("search index: HTTP " + r.status + " for " + name);
        return kind === "text" ? r.text() : r.json();
      });
      this.cache.set(name, p);
    }
    return this.cache.get(name);
  }

  async doc(i) {
    const m = this.manifest;
    const chunk = await this.file("d" + Math.floor(i / m.chunk) + ".json");
    const d = chunk[i % m.chunk];
    return { id: d[0], path: d[1], title: d[2], tool: d[3], summary: d[4] };
  }

  // Signature records of the shards a text's words point at, by key word.
  async signatures(words) {
    const m = this.manifest;
    const shards = new Set();
    for (const w of words) shards.add(fnv1a(w) % m.sig);
    const names = Array.from(shards, (k) => "s" + k + ".json");
    if (m.any) names.push("s-any.json");
    const lists = await Promise.all(names.map((n) => this.file(n)));
    const byKey = new Map();
    const any = [];
    const tick = slicer();
    for (const list of lists) {
      for (const rec of list) {
        if (tick.due()) await tick.pause();
        if (!rec.compiled) {
          let src = rec[1];
          m.dict.forEach((piece, i) => {
            src = src.replaceAll(String.fromCharCode(1 + i), piece);
          });
          rec.src = src;
          try {
            rec.compiled = compile(src, rec[2]);
          } catch (e) {
            rec.compiled = null;
          }
        }
        if (!rec.compiled) continue;
        if (rec[4]) {
          if (!byKey.has(rec[4])) byKey.set(rec[4], []);
          byKey.get(rec[4]).push(rec);
        } else {
          any.push(rec);
        }
      }
    }
    return { byKey, any };
  }

  // One regex per key word and flags, the alternation of every pattern filed under that
  // word (slot names dropped): a line that fails it needs none of them tried, which is
  // most lines of a log. `undefined` when the alternation does not compile.
  keyTest(word, list) {
    if (!this.keyTests) this.keyTests = new Map();
    let t = this.keyTests.get(word);
    if (!t) {
      const part = (flags) => {
        const srcs = list
          .filter((r) => r[2] === flags && r.src)
          .map((r) => "(?:" + r.src.replace(/\(\?<[A-Za-z_][A-Za-z0-9_]*>/g, "(?:") + ")");
        if (srcs.length === 0) return null;
        try {
          return new RegExp(srcs.join("|"), flags);
        } catch (e) {
          return undefined;
        }
      };
      t = { i: part("i"), s: part("") };
      this.keyTests.set(word, t);
    }
    return t;
  }

  // Term → postings map of one shard, parsed once.
  async shard(key) {
    if (!this.termKeys.has(key)) return null;
    const name = "t" + key + ".txt";
    const cacheKey = "parsed:" + name;
    if (!this.cache.has(cacheKey)) {
      const prefix = new TextDecoder().decode(new Uint8Array(key.match(/../g).map((h) => parseInt(h, 16))));
      this.cache.set(
        cacheKey,
        this.file(name, "text").then((text) => {
          const map = new Map();
          for (const line of text.split("\n")) {
            if (!line) continue;
            const sp = line.indexOf(" ");
            map.set(prefix + line.slice(0, sp), line.slice(sp + 1));
          }
          return map;
        }),
      );
    }
    return this.cache.get(cacheKey);
  }

  postings(encoded) {
    const m = this.manifest;
    const step = m.w + 1;
    const out = [];
    const scale = Math.log1p(m.best) / 35;
    for (let i = 0; i + step <= encoded.length; i += step) {
      const doc = parseInt(encoded.slice(i, i + m.w), 36);
      const q = parseInt(encoded[i + m.w], 36);
      out.push([doc, Math.expm1(q * scale)]);
    }
    return out;
  }
}

// ---------- searching ----------

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
      if (!rec.compiled || !rec.compiled.find(n)) continue;
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
  const exact = Array.from(best.values()).sort((a, b) => b.spec - a.spec || a.lineNo - b.lineNo || a.doc - b.doc);
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
  hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
  return { hits, terms, phrases };
}

// Starts downloading the index files a query will need, without searching: called on
// every keystroke of a fast burst, so the search after the burst finds them cached.
// Prefixes of a word share its term shard, and an unfinished last word is left out of
// the signature shards, so this downloads what the final search would anyway.
function prefetch(index, query) {
  if (!index.manifest) return;
  const lines = limitQuery(query).lines.slice(0, 20);
  const text = lines.join(" ");
  for (const w of new Set(tokens(text))) {
    if (charCount(w) >= 2) index.shard(hexKey(w)).catch(() => {});
  }
  const complete = (normalizeLine(text).toLowerCase().replace(/[a-z0-9_]+$/, "").match(/[a-z0-9_]{3,}/g) || []);
  if (complete.length) index.signatures(new Set(complete)).catch(() => {});
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

// ---------- rendering ----------

function highlighted(text, words) {
  const frag = document.createDocumentFragment();
  const ws = words.filter((w) => w.length >= 2).sort((a, b) => b.length - a.length);
  if (ws.length === 0) {
    frag.append(text);
    return frag;
  }
  const esc = ws.map((w) => w.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"));
  const re = new RegExp("(" + esc.join("|") + ")", "gi");
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    const mark = document.createElement("mark");
    mark.textContent = m[0];
    frag.append(mark);
    last = m.index + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}

function resultItem(r, words, base) {
  const li = document.createElement("li");
  li.setAttribute("data-search-result", r.id);
  const a = document.createElement("a");
  a.href = base + r.path;
  a.className = "result-link";
  const title = document.createElement("span");
  title.className = "result-title";
  title.append(highlighted(r.title, words));
  a.append(title);
  const meta = document.createElement("span");
  meta.className = "result-meta";
  meta.textContent = r.tool;
  if (r.exact) {
    const mark = document.createElement("span");
    mark.className = "result-exact";
    mark.textContent = "Exact match";
    meta.append(" · ", mark);
  } else if (r.generic) {
    const mark = document.createElement("span");
    mark.className = "result-generic";
    mark.textContent = "Generic line";
    mark.title = "This line alone does not say which error it is: one of these entries";
    meta.append(" · ", mark);
  }
  a.append(meta);
  if ((r.exact || r.generic) && r.line) {
    const code = document.createElement("code");
    code.className = "result-line";
    code.textContent = (r.lineNo > 1 ? "line " + r.lineNo + ": " : "") + r.line;
    a.append(code);
  }
  const summary = document.createElement("span");
  summary.className = "result-summary";
  summary.textContent = r.summary.length > 180 ? r.summary.slice(0, 177) + "…" : r.summary;
  a.append(summary);
  li.append(a);
  return li;
}

function countText(n) {
  return n === 0 ? "No results" : n === 1 ? "1 result" : n + " results";
}

// ---------- the header box ----------

function setupBox() {
  const form = document.querySelector("[data-search-index]");
  if (!form) return;
  const input = form.querySelector("[data-search-input]");
  const panel = form.querySelector("[data-search-panel]");
  const list = form.querySelector("[data-search-results]");
  const status = document.querySelector("[data-search-status]");
  const base = form.getAttribute("data-base") || "/";
  const index = new Index(form.getAttribute("data-search-index"));
  let pasted = null;
  let seq = 0;
  let timer = 0;

  const close = () => {
    panel.hidden = true;
  };
  const links = () => Array.from(list.querySelectorAll("a"));

  // `typing`: the text came key by key, so its last word may be unfinished.
  const run = async (typing, settled) => {
    const q = pasted !== null ? pasted : input.value;
    const mine = ++seq;
    if (!q.trim()) {
      list.replaceChildren();
      status.textContent = "";
      close();
      return;
    }
    let res;
    try {
      res = await search(index, q, MAX_RESULTS, typing && pasted === null, () => mine !== seq, settled);
    } catch (e) {
      status.textContent = "Search is unavailable: " + e.message;
      return;
    }
    if (res === null || mine !== seq) return;
    list.replaceChildren(...res.results.map((r) => resultItem(r, res.words, base)));
    if (res.results.length === 0) {
      const li = document.createElement("li");
      li.className = "no-results";
      li.textContent = "No entry matches. Try the exact error message, or fewer words.";
      list.append(li);
    }
    if (res.note) {
      const li = document.createElement("li");
      li.className = "no-results search-cut";
      li.textContent = res.note;
      list.append(li);
    }
    const more = document.createElement("li");
    more.className = "more-results";
    const a = document.createElement("a");
    a.href = base + "search/?q=" + encodeURIComponent(q.slice(0, 6000));
    a.textContent = "All results";
    more.append(a);
    list.append(more);
    status.textContent = countText(res.results.length) + (res.note ? ". " + res.note : "");
    panel.hidden = false;
  };

  // Once the index is loaded a search takes a few milliseconds: answer a keystroke at
  // once, unless keys come faster than that (fast typing, key repeat, a paste tool),
  // where only the pause after the last one is worth a search and its downloads. Until
  // the index is loaded, wait for a pause. A newer run makes older ones drop out.
  // When typing pauses, the last word counts as finished: one more search lets it
  // find an exact match (a typed error message often ends with its code).
  let lastInput = 0;
  let settle = 0;
  const schedule = (typing) => {
    clearTimeout(timer);
    clearTimeout(settle);
    const now = performance.now();
    const burst = now - lastInput < 45;
    lastInput = now;
    if (burst) prefetch(index, pasted !== null ? pasted : input.value);
    timer = setTimeout(() => run(typing), !index.manifest ? 60 : burst ? 36 : 0);
    if (typing && /\S\s+\S/.test(input.value)) settle = setTimeout(() => run(true, true), 400);
  };

  input.addEventListener("focus", () => {
    index.load().catch(() => {});
  });
  input.addEventListener("input", (e) => {
    pasted = null;
    // Typed unless the browser says the text arrived whole (paste, drop, autocomplete).
    schedule(!["insertFromPaste", "insertFromDrop", "insertReplacementText", "insertFromYank"].includes(e.inputType));
  });
  // A pasted log keeps its line breaks (a search field would drop them), and a huge line
  // never lands whole in the field, whose layout alone would hold the page.
  input.addEventListener("paste", (e) => {
    const text = e.clipboardData && e.clipboardData.getData("text");
    if (text && (text.length > MAX_LINE_CHARS || /[\r\n]/.test(text))) {
      e.preventDefault();
      pasted = text;
      const { lines, note } = limitQuery(text);
      const shown = lines.filter((l) => l.trim());
      const count = shown.length.toLocaleString("en") + (note ? "+" : "");
      input.value = shown.length > 1 ? shown[0].trim().slice(0, 120) + " … (" + count + " lines pasted)" : shown.join(" ");
      schedule(false);
    }
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      const l = links();
      if (l.length) {
        e.preventDefault();
        panel.hidden = false;
        l[0].focus();
      }
    } else if (e.key === "Escape") {
      if (!panel.hidden) {
        e.preventDefault();
        close();
      } else if (input.value) {
        input.value = "";
        pasted = null;
      }
    }
  });
  list.addEventListener("keydown", (e) => {
    const l = links();
    const i = l.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      l[Math.min(i + 1, l.length - 1)].focus();
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (i === 0) input.focus();
      else l[i - 1].focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
      input.focus();
    }
  });
  form.addEventListener("submit", (e) => {
    if (pasted !== null) {
      e.preventDefault();
      window.location.href = base + "search/?q=" + encodeURIComponent(pasted.slice(0, 6000));
    }
  });
  document.addEventListener("click", (e) => {
    if (!form.contains(e.target)) close();
  });
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    const typing = t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if ((e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) || (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
}

// ---------- the search page ----------

function setupPage() {
  const area = document.querySelector("[data-search-page-input]");
  const list = document.querySelector("[data-search-page-results]");
  const status = document.querySelector("[data-search-page-status]");
  const form = document.querySelector("[data-search-index]");
  if (!area || !list || !form) return;
  const base = form.getAttribute("data-base") || "/";
  const index = new Index(form.getAttribute("data-search-index"));
  queryParam(window.location.search)
    .then((q) => {
      // Laying out a text area takes time in proportion to its text: a link with a huge
      // query shows its start (the search itself reads what limitQuery allows).
      area.value = q.length > MAX_SHOWN_CHARS ? cutAt(q, MAX_SHOWN_CHARS) : q;
      if (!q.trim()) return null;
      status.textContent = "Searching…";
      return search(index, q, MAX_PAGE_RESULTS, false);
    })
    .then((res) => {
      if (res === null) return;
      list.replaceChildren(...res.results.map((r) => resultItem(r, res.words, base)));
      let text = countText(res.results.length);
      if (res.results.length === 0) text += ". Try the exact error message, or fewer words.";
      else if (res.note) text += ".";
      status.textContent = res.note ? text + " " + res.note : text;
    })
    .catch((e) => {
      status.textContent = "Search is unavailable: " + e.message;
    });
}

setupBox();
setupPage();

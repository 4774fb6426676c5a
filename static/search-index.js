// Loading the search index the build writes in search/<version>/ (file formats in
// src/index/search.rs): the manifest on first use, then only the shards a query needs,
// each fetched once, decompressed, and kept for the page's lifetime.

import { compile } from "./pattern.js";
import { slicer } from "./limits.js";
import { fnv1a, mayBeKey } from "./tokenize.js";

// Above this many signature shards, a search reads the key-word filter (about 16 kB at
// 10,000 patterns, the size of a dozen shards) before fetching them.
const KEY_FILTER_FROM = 12;

// The versioned files are gzip, sent as they are: decompressed here. A host that sends
// them with its own `Content-Encoding: gzip` hands over the plain bytes, read as they are.
export async function gunzipText(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
  if (typeof DecompressionStream !== "function") {
    throw new Error("this browser cannot decompress the search index (it has no DecompressionStream; any browser since 2023 has)");
  }
  const plain = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(plain).text();
}

export class Index {
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

  // A file of the versioned folder, decompressed: its text, or its JSON (`kind` "json").
  file(name, kind) {
    if (!this.cache.has(name)) {
      const p = fetch(this.dir + name + ".gz")
        .then((r) => {
          if (!r.ok) throw new Error("search index: HTTP " + r.status + " for " + name);
          return r.arrayBuffer();
        })
        .then((b) => gunzipText(new Uint8Array(b)))
        .then((text) => (kind === "json" ? JSON.parse(text) : text));
      this.cache.set(name, p);
    }
    return this.cache.get(name);
  }

  async doc(i) {
    const m = this.manifest;
    const chunk = await this.file("d" + Math.floor(i / m.chunk) + ".json", "json");
    const d = chunk[i % m.chunk];
    return { id: d[0], path: d[1], title: d[2], tool: d[3], summary: d[4] };
  }

  // The signature shards a text's words point at, being fetched. When they are many (a
  // pasted log), the key-word filter first drops the words that are no pattern's key:
  // one small file instead of most of the signature tier.
  async signatureFiles(words) {
    const m = this.manifest;
    const shardsOf = (ws) => new Set(Array.from(ws, (w) => fnv1a(w) % m.sig));
    let shards = shardsOf(words);
    if (m.keys && shards.size > KEY_FILTER_FROM) {
      const hex = await this.file("s-keys.txt");
      shards = shardsOf(Array.from(words).filter((w) => mayBeKey(hex, m.keys, w)));
    }
    const names = Array.from(shards, (k) => "s" + k + ".json");
    if (m.any) names.push("s-any.json");
    return Promise.all(names.map((n) => this.file(n, "json")));
  }

  // Signature records filed under the given words (a Set), by word, and those of
  // `s-any`.
  async signatures(words) {
    const m = this.manifest;
    const lists = await this.signatureFiles(words);
    const byKey = new Map();
    const any = [];
    const tick = slicer();
    for (const list of lists) {
      for (const rec of list) {
        // A shard holds other words' patterns too: read when a search needs them, and
        // compiled (`pattern`) only for a line that passes their word's `keyTest`.
        if (rec[4] && !words.has(rec[4])) continue;
        if (tick.due()) await tick.pause();
        if (rec.src === undefined) {
          let src = rec[1];
          m.dict.forEach((piece, i) => {
            src = src.replaceAll(String.fromCharCode(1 + i), piece);
          });
          rec.src = src;
        }
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

  // A signature record's pattern, compiled on first use; `null` when it does not compile.
  pattern(rec) {
    if (rec.compiled === undefined) {
      try {
        rec.compiled = compile(rec.src, rec[2]);
      } catch (e) {
        rec.compiled = null;
      }
    }
    return rec.compiled;
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

  // Term → postings map of one shard, parsed once; `null` when the index has no such shard.
  async shard(key) {
    if (!this.termKeys.has(key)) return null;
    const name = "t" + key + ".txt";
    const cacheKey = "parsed:" + name;
    if (!this.cache.has(cacheKey)) {
      const prefix = new TextDecoder().decode(new Uint8Array(key.match(/../g).map((h) => parseInt(h, 16))));
      this.cache.set(
        cacheKey,
        this.file(name).then((text) => {
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
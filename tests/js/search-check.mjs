// Checks static/tokenize.js and the ranking of static/search-tiers.js against
// tests/vectors/search.json. Node (search-vectors.mjs) and a browser page both import
// this module: pass the parsed JSON; it returns the failures and a summary.

import { tokens, fnv1a, hexKey, keyBits } from '../../static/tokenize.js';
import { byScore, byExact } from '../../static/search-tiers.js';

const show = (value) => JSON.stringify(value);

export function checkSearchVectors(v) {
  const failures = [];
  let passed = 0;
  const check = (ok, what) => {
    if (ok) passed++;
    else failures.push(what);
  };
  for (const c of v.tokens) {
    const got = tokens(c.text);
    check(show(got) === show(c.tokens), `tokens(${show(c.text)}) = ${show(got)}, want ${show(c.tokens)} (${c.why})`);
  }
  for (const c of v.hashes) {
    check(fnv1a(c.term) === c.fnv1a, `fnv1a(${show(c.term)}) = ${fnv1a(c.term)}, want ${c.fnv1a}`);
    check(hexKey(c.term) === c.shard_key, `hexKey(${show(c.term)}) = ${hexKey(c.term)}, want ${c.shard_key}`);
  }
  for (const c of v.key_bits) {
    const got = keyBits(c.word, c.m);
    check(show(got) === show(c.bits), `keyBits(${show(c.word)}, ${c.m}) = ${show(got)}, want ${show(c.bits)}`);
  }
  for (const c of v.rank.fulltext) {
    const got = c.hits.map(([doc, score]) => ({ doc, score })).sort(byScore).map((h) => h.doc);
    check(show(got) === show(c.order), `full text ${show(c.hits)}: ${show(got)}, want ${show(c.order)} (${c.why})`);
  }
  for (const c of v.rank.exact) {
    const got = c.hits.map(([doc, spec]) => ({ doc, spec, lineNo: 1 })).sort(byExact).map((h) => h.doc);
    check(show(got) === show(c.order), `exact ${show(c.hits)}: ${show(got)}, want ${show(c.order)} (${c.why})`);
  }
  const counts = `${v.tokens.length} token, ${v.hashes.length} hash, ${v.key_bits.length} key-filter, ${v.rank.fulltext.length + v.rank.exact.length} ranking cases`;
  return { failures, failed: failures.length, summary: `search vectors (${counts}): ${passed} passed, ${failures.length} failed` };
}

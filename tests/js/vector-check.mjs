// Checks static/pattern.js against tests/vectors/compiled.json. Node
// (pattern-vectors.mjs) and a browser page both import this module: pass the
// parsed JSON, and the engine module if it is not at ../../static/pattern.js.

import * as defaultEngine from '../../static/pattern.js';

const show = (value) => JSON.stringify(value);

function sameSlots(got, expected) {
  const keys = Object.keys(got).sort();
  const want = Object.keys(expected).sort();
  return show(keys) === show(want) && keys.every((k) => got[k] === expected[k]);
}

function checkMatch(engine, v) {
  let regex;
  try {
    regex = engine.compile(v.js_source, v.js_flags);
  } catch (e) {
    return `RegExp does not compile: ${e.message}`;
  }
  const line = engine.normalizeLine(v.line);
  if (v.normalized !== undefined && line !== v.normalized) {
    return `normalized to ${show(line)}, Rust gives ${show(v.normalized)}`;
  }
  const m = regex.find(line);
  if ((m !== null) !== v.matches) {
    return `expected ${v.matches ? 'a match' : 'no match'}, got ${show(m)}`;
  }
  if (m === null) return null;
  if (!(m.start >= 0 && m.start <= m.end && m.end <= line.length)) {
    return `bad range ${m.start}..${m.end}`;
  }
  const text = line.slice(m.start, m.end);
  if (v.matched !== undefined && text !== v.matched) {
    return `matched ${show(text)}, expected ${show(v.matched)}`;
  }
  if (v.slots !== undefined && !sameSlots(m.slots, v.slots)) {
    return `slots ${show(m.slots)}, expected ${show(v.slots)}`;
  }
  if (regex.test(line) !== true) return 'test() disagrees with find()';
  return null;
}

/**
 * Runs every vector. Returns {passed, failed, failures, summary}, where
 * failures are one-line messages and summary is "N passed, M failed".
 */
export function checkVectors(vectors, engine = defaultEngine) {
  const failures = [];
  let passed = 0;
  const record = (what, error) => {
    if (error === null) passed++;
    else failures.push(`${what}: ${error}`);
  };
  for (const v of vectors.clean ?? []) {
    const got = engine.cleanLine(v.input);
    record(`clean ${show(v.input)}`, got === v.output ? null : `got ${show(got)}, expected ${show(v.output)}`);
  }
  for (const v of vectors.normalize ?? []) {
    const got = engine.normalizeLine(v.input);
    record(`normalize ${show(v.input)}`, got === v.output ? null : `got ${show(got)}, expected ${show(v.output)}`);
  }
  for (const v of vectors.match ?? []) {
    let error;
    try {
      error = checkMatch(engine, v);
    } catch (e) {
      error = `threw ${e}`;
    }
    record(`match ${show(v.pattern)} on ${show(v.line)}`, error);
  }
  if (passed + failures.length === 0) failures.push('no vectors found');
  return { passed, failed: failures.length, failures, summary: `${passed} passed, ${failures.length} failed` };
}

// node tests/js/pattern-vectors.mjs: checks static/pattern.js against the
// shared vectors (tests/vectors/compiled.json, written by `cargo test`).

import { readFileSync } from 'node:fs';
import { checkVectors } from './vector-check.mjs';

const file = new URL('../vectors/compiled.json', import.meta.url);
const result = checkVectors(JSON.parse(readFileSync(file, 'utf8')));
for (const failure of result.failures) console.log(`FAIL ${failure}`);
console.log(result.summary);
process.exitCode = result.failed === 0 ? 0 : 1;

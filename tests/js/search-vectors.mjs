// node tests/js/search-vectors.mjs: checks the browser's tokenizer, shard hashing and
// ranking tie-breaks against tests/vectors/search.json (see search-check.mjs).

import { readFileSync } from 'node:fs';
import { checkSearchVectors } from './search-check.mjs';

const file = new URL('../vectors/search.json', import.meta.url);
const result = checkSearchVectors(JSON.parse(readFileSync(file, 'utf8')));
for (const failure of result.failures) console.log(`FAIL ${failure}`);
console.log(result.summary);
process.exitCode = result.failed === 0 ? 0 : 1;

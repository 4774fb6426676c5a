// node tests/js/search-gzip.mjs: static/search-index.js reads the index's gzip files: it
// decompresses them, reads plain bytes as they are (a host that sent them with its own
// Content-Encoding), and says what is missing in a browser without DecompressionStream.

import { gzipSync } from 'node:zlib';
import { gunzipText } from '../../static/search-index.js';

const failures = [];
let passed = 0;
const check = (ok, what) => (ok ? passed++ : failures.push(what));

const text = '[[0,"x","é"]]\nab 000z\n'.repeat(200);
check((await gunzipText(new Uint8Array(gzipSync(text)))) === text, 'a gzip file comes back as its text');
check((await gunzipText(new TextEncoder().encode(text))) === text, 'plain bytes are read as they are');
check((await gunzipText(new Uint8Array(0))) === '', 'an empty file is empty text');

const saved = globalThis.DecompressionStream;
delete globalThis.DecompressionStream;
try {
  await gunzipText(new Uint8Array(gzipSync(text)));
  check(false, 'without DecompressionStream a gzip file fails');
} catch (e) {
  check(/DecompressionStream/.test(e.message), `the failure names what is missing: ${e.message}`);
} finally {
  globalThis.DecompressionStream = saved;
}

for (const f of failures) console.log(`FAIL ${f}`);
console.log(`search gzip: ${passed} passed, ${failures.length} failed`);
process.exitCode = failures.length === 0 ? 0 : 1;

// node tests/js/limits.mjs: checks static/limits.js (see limits-check.mjs).

import { checkLimits } from './limits-check.mjs';

const failures = await checkLimits();
for (const f of failures) console.log(`FAIL ${f}`);
console.log(failures.length === 0 ? 'limits: all passed' : `limits: ${failures.length} failed`);
process.exitCode = failures.length === 0 ? 0 : 1;

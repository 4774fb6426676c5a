// Checks static/limits.js, the bounds on the browser's search work: lines as
// String.split gives them, the caps with their note, and the `q` parameter decoded as
// URLSearchParams does. Node (limits.mjs) and Chromium (the browser suite) both run it.

import { limitQuery, cutAt, queryParam, MAX_LINES, MAX_LINE_CHARS, MAX_QUERY_CHARS } from '../../static/limits.js';

/** Runs every check; returns the list of failures (empty when all pass). */
export async function checkLimits() {
  const failures = [];
  const check = (what, ok) => {
    if (!ok) failures.push(what);
  };
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  // Small inputs: exactly the lines of split(/\r\n|\r|\n/), and no note.
  const pieces = ['a', 'bc', '', ' ', '\n', '\r', '\r\n', '\n\r', '\ud83d\ude00', 'x y'];
  let seed = 42;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 2000; i++) {
    let text = '';
    const len = next(12);
    for (let k = 0; k < len; k++) text += pieces[next(pieces.length)];
    const got = limitQuery(text);
    check(`lines of ${JSON.stringify(text)}`, same(got.lines, text.split(/\r\n|\r|\n/)) && got.note === '');
  }

  // Too many lines: the first MAX_LINES, and a note; exactly MAX_LINES and a final line
  // break: no note.
  const many = 'x\n'.repeat(MAX_LINES + 5);
  let r = limitQuery(many);
  check('many lines are cut', r.lines.length === MAX_LINES && /first 10,000 lines/.test(r.note));
  r = limitQuery('x\n'.repeat(MAX_LINES - 1) + 'x\n');
  check('exactly MAX_LINES lines', r.lines.length === MAX_LINES && r.note === '');

  // A long line: its first MAX_LINE_CHARS characters, never half a surrogate pair.
  r = limitQuery('a'.repeat(MAX_LINE_CHARS + 10) + '\nshort');
  check('long lines are cut', same(r.lines.map((l) => l.length), [MAX_LINE_CHARS, 5]) && /2,000 characters/.test(r.note));
  const emoji = 'a'.repeat(MAX_LINE_CHARS - 1) + '\ud83d\ude00';
  r = limitQuery(emoji);
  check('no half surrogate', r.lines[0] === 'a'.repeat(MAX_LINE_CHARS - 1));
  check('cutAt', cutAt('ab\ud83d\ude00', 3) === 'ab' && cutAt('abc', 2) === 'ab');

  // A huge query: bounded however long it is, and quick.
  const huge = ('y'.repeat(100) + '\n').repeat(Math.ceil((MAX_QUERY_CHARS * 3) / 101));
  const t0 = performance.now();
  r = limitQuery(huge);
  const took = performance.now() - t0;
  check('huge query is cut', r.lines.length === MAX_LINES && r.note !== '');
  check(`huge query takes ${took.toFixed(0)} ms`, took < 1000);
  r = limitQuery('z'.repeat(MAX_QUERY_CHARS * 2));
  check('one huge line', r.lines.length === 1 && r.lines[0].length === MAX_LINE_CHARS);

  // The `q` of a query string: what URLSearchParams gives, also for escapes cut at the
  // decoder's slice boundaries and malformed ones.
  const parts = ['a', '+', '%20', '%2B', '%26', '&', '=', 'q=', '%C3%A9', '%E2%82%AC', '%F0%9F%98%80', '%', '%Z', '%C3', '\u00e9', 'x'.repeat(70000)];
  for (let i = 0; i < 300; i++) {
    let search = next(2) ? '?q=' : '?x=1&q=';
    const len = next(8);
    for (let k = 0; k < len; k++) search += parts[next(parts.length)];
    const want = new URLSearchParams(search).get('q') ?? '';
    const got = await queryParam(search);
    check(`queryParam(${JSON.stringify(search.slice(0, 80))}) length ${search.length}`, got === want);
  }
  const longQuery = '?q=' + '%C3%A9'.repeat(200000);
  check('long escapes decode across slices', (await queryParam(longQuery)) === 'é'.repeat(200000));
  check('no q', (await queryParam('?x=1')) === '');
  return failures;
}

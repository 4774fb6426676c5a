// errkb pattern engine, browser half.
//
// Mirrors src/pattern/clean.rs: cleanLine = clean_line, normalizeCleaned =
// normalize_cleaned, normalizeLine = normalize_line. A pasted log line goes
// through exactly the steps the CLI applies. Then it runs the patterns that
// the Rust side compiled at build time (Pattern::js_source / js_flags) as
// `new RegExp(source, flags)`. The shared vectors in
// tests/vectors/compiled.json hold both sides to the same results
// (tests/js/vector-check.mjs).
//
// Differences that cannot be avoided:
// - Match offsets are JavaScript string indices (UTF-16 code units) into the
//   normalized line, where Rust gives UTF-8 byte ranges. The matched text and
//   the slots are the same.
// - A lone surrogate, which Rust's UTF-8 strings cannot hold, becomes U+FFFD
//   first, as a lossy UTF-8 decode of the same bytes would give.

/** Most CI/prompt prefixes stripped from one line (MAX_PREFIXES). */
const MAX_PREFIXES = 8;

// What strip_controls removes, in its order: ESC sequences (CSI; OSC, DCS,
// SOS, PM, APC strings up to BEL, ESC \, ST or the end; nF escapes; two-
// character escapes; a lone ESC), the C1 CSI and OSC, then other controls
// that are not whitespace (C1 except U+0085 NEL).
const CONTROLS = new RegExp(
  [
    String.raw`\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][\s\S]*?(?:\x07|\x1b\\|\x9c|$)|[ -/]+[0-~]?|[0-~])?`,
    String.raw`\x9b[0-?]*[ -/]*[@-~]?`,
    String.raw`\x9d[\s\S]*?(?:\x07|\x1b\\|\x9c|$)`,
    String.raw`[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]`,
  ].join('|'),
  'g',
);

// One prefix at the start of what is left of the line, tried in the order of
// prefix_len: ISO timestamp (optionally bracketed), `##[error]`-style marker,
// workflow command, BuildKit step, npm-debug.log line number (not `1 error `,
// an English count), shell prompt. Each alternative matches exactly the text
// its Rust function (src/pattern/prefix.rs) would strip.
const TIMESTAMP = String.raw`\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::\d{2}|\d{2})?)?`;
const NAME = String.raw`[\w.-]+`;
const PREFIX = new RegExp(
  [
    String.raw`(?:\[${TIMESTAMP}\]|${TIMESTAMP})(?:[ \t]+|$)`,
    String.raw`##\[(?:error|warning|notice|debug|group|endgroup|section|command)\][ \t]*`,
    String.raw`::(?:error|warning|notice|debug|group|endgroup)(?=::| )[\s\S]*?::`,
    String.raw`#\d+ \d+\.\d+ [ \t]*`,
    String.raw`(?!1 error )\d+ (?=(?:silly|verbose|info|timing|http|notice|warn|error) )`,
    String.raw`[$>] [ \t]*`,
    String.raw`\[${NAME}@${NAME} [^\] ]*\][$#] [ \t]*`,
    String.raw`${NAME}@${NAME}:[^ \t$#]*[$#] [ \t]*`,
  ].join('|'),
  'y',
);

// Whitespace runs: Unicode White_Space plus U+FEFF (is_space). Not JS `\s`,
// which lacks U+0085.
const SPACE_RUN = /[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;

// Characters that normalize_char changes: the BMP ones below, and cased
// letters beyond U+FFFF (surrogate pairs whose high half is in ASTRAL_LOWER).
const MAPPED =
  /[\u017f\u03f4\u1e9e\u1f88-\u1f8f\u1f98-\u1f9f\u1fa8-\u1faf\u1fbc\u1fcc\u1fd3\u1fe3\u1ffc\u2010-\u2015\u2018-\u201f\u2032\u2033\u2126\u212a\u212b\u2212\ua7ce\ua7d2\ua7d4\ufb05\ufe63\uff0d]|[\ud801\ud803\ud806\ud81b\ud83a][\udc00-\udfff]/g;

const ONE_SPELLING = new Map([
  ['\u2018', "'"], ['\u2019', "'"], ['\u201a', "'"], ['\u201b', "'"], ['\u2032', "'"],
  ['\u201c', '"'], ['\u201d', '"'], ['\u201e', '"'], ['\u201f', '"'], ['\u2033', '"'],
  ['\u2010', '-'], ['\u2011', '-'], ['\u2012', '-'], ['\u2013', '-'], ['\u2014', '-'],
  ['\u2015', '-'], ['\u2212', '-'], ['\ufe63', '-'], ['\uff0d', '-'],
  ['\u017f', 's'], ['\u212a', 'K'], ['\u212b', '\u00c5'], ['\u2126', '\u03a9'],
  ['\u1e9e', '\u00df'], ['\u03f4', '\u0398'], ['\u1fd3', '\u0390'], ['\u1fe3', '\u03b0'],
  ['\ufb05', '\ufb06'], ['\u1fbc', '\u1fb3'], ['\u1fcc', '\u1fc3'], ['\u1ffc', '\u1ff3'],
  ['\ua7ce', '\ua7cf'], ['\ua7d2', '\ua7d3'], ['\ua7d4', '\ua7d5'],
]);

// Upper-case letters beyond U+FFFF as [first, last, offset to lower case],
// from Rust's char::to_lowercase (Unicode 17). A fixed table rather than
// toLowerCase(), whose Unicode version varies by browser.
const ASTRAL_LOWER = [
  [0x10400, 0x10427, 0x28], [0x104b0, 0x104d3, 0x28], [0x10570, 0x1057a, 0x27],
  [0x1057c, 0x1058a, 0x27], [0x1058c, 0x10592, 0x27], [0x10594, 0x10595, 0x27],
  [0x10c80, 0x10cb2, 0x40], [0x10d50, 0x10d65, 0x20], [0x118a0, 0x118bf, 0x20],
  [0x16e40, 0x16e5f, 0x20], [0x16ea0, 0x16eb8, 0x1b], [0x1e900, 0x1e921, 0x22],
];

function normalizeChar(c) {
  if (c.length === 2) {
    const cp = c.codePointAt(0);
    for (const [first, last, offset] of ASTRAL_LOWER) {
      if (cp >= first && cp <= last) return String.fromCodePoint(cp + offset);
    }
    return c;
  }
  const code = c.charCodeAt(0);
  // Greek capitals with prosgegrammeni: the small letter with ypogegrammeni.
  if (code >= 0x1f88 && code <= 0x1faf && (code & 0xf) >= 8) {
    return String.fromCharCode(code - 8);
  }
  return ONE_SPELLING.get(c) ?? c;
}

/** Length of the CI and prompt prefixes at the start of `s` (prefix_len). */
function prefixLength(s) {
  let pos = 0;
  for (let i = 0; i < MAX_PREFIXES; i++) {
    PREFIX.lastIndex = pos;
    const m = PREFIX.exec(s);
    if (m === null || m[0].length === 0) break;
    pos += m[0].length;
  }
  return pos;
}

/**
 * What a human sees of a raw log line: no trailing CR/LF, no escape
 * sequences or other control characters (whitespace is kept), no leading
 * timestamps, CI markers, npm-debug.log line numbers or shell prompts.
 * @param {string} line
 * @returns {string}
 */
export function cleanLine(line) {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 10 && c !== 13) break;
    end--;
  }
  const s = line.slice(0, end).toWellFormed().replace(CONTROLS, '');
  const start = prefixLength(s);
  return start === 0 ? s : s.slice(start);
}

/**
 * Normalizes cleaned text: each whitespace run becomes one space, both ends
 * are trimmed, and typographic quotes, Unicode hyphens and dashes and the few
 * characters whose case folding differs between Rust and JavaScript get one
 * spelling.
 * @param {string} text
 * @returns {string}
 */
export function normalizeCleaned(text) {
  let s = text.replace(SPACE_RUN, ' ');
  if (s.charCodeAt(0) === 32) s = s.slice(1);
  if (s.charCodeAt(s.length - 1) === 32) s = s.slice(0, -1);
  return s.replace(MAPPED, normalizeChar);
}

/**
 * The text patterns are matched against: cleanLine, then normalizeCleaned.
 * @param {string} line
 * @returns {string}
 */
export function normalizeLine(line) {
  return normalizeCleaned(cleanLine(line));
}

/**
 * Wraps one compiled pattern (Pattern::js_source / js_flags from the build).
 * `find(normalizedLine)` gives the first match or null; `start`/`end` are
 * UTF-16 indices into the line, `slots` maps each slot that took part in the
 * match to its text. `test(normalizedLine)` only says whether it matches.
 *
 * A template's regex is anchored and skips to its first literal with a group
 * named `_p` (see src/pattern/template.rs: that form cannot backtrack much);
 * the match starts after the text `_p` holds, and `_p` is not a slot.
 * @param {string} jsSource
 * @param {string} [jsFlags] "i" or ""
 */
export function compile(jsSource, jsFlags = '') {
  if (jsFlags !== '' && jsFlags !== 'i') {
    throw new Error(`unexpected pattern flags ${JSON.stringify(jsFlags)}`);
  }
  const re = new RegExp(jsSource, jsFlags);
  return {
    find(normalizedLine) {
      const m = re.exec(normalizedLine);
      if (m === null) return null;
      let start = m.index;
      const slots = {};
      if (m.groups) {
        for (const name in m.groups) {
          const value = m.groups[name];
          if (name === '_p') start += value.length;
          else if (value !== undefined) slots[name] = value;
        }
      }
      return { start, end: m.index + m[0].length, slots };
    },
    test(normalizedLine) {
      return re.test(normalizedLine);
    },
  };
}

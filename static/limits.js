// Bounds on the work one search does in the page, whatever is pasted into the search box
// or linked as `search/?q=`: a query is read as at most MAX_LINES lines of at most
// MAX_LINE_CHARS characters each, taken from its first MAX_QUERY_CHARS characters, with
// a note for the reader when anything was left out; and long loops hand the main thread
// back every SLICE_MS milliseconds, so typing, scrolling and painting never wait for a
// search. (Checked by tests/js/limits.mjs and the browser suite.)

import { say } from "./say.js";

export const MAX_QUERY_CHARS = 2000000;
export const MAX_LINES = 10000;
export const MAX_LINE_CHARS = 2000;
// People notice a page that does not answer for 50 ms; a slice is well under that.
export const SLICE_MS = 10;

// The first `n` UTF-16 units of `s`, one fewer rather than half a surrogate pair.
export function cutAt(s, n) {
  const c = s.charCodeAt(n - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 1 : n);
}

/**
 * The lines a query is searched by, and a note that says what was left out ("" when
 * nothing was).
 * @param {string} query
 * @returns {{lines: string[], note: string}}
 */
export function limitQuery(query) {
  let text = query;
  let cut = text.length > MAX_QUERY_CHARS;
  if (cut) text = cutAt(text, MAX_QUERY_CHARS);
  // As text.split(/\r\n|\r|\n/), but it stops after MAX_LINES lines and never copies
  // more than MAX_LINE_CHARS of a line; each search for a line break starts where the
  // last one ended, so the whole scan is one pass.
  const lines = [];
  let long = false;
  let pos = 0;
  let nextLf = text.indexOf("\n");
  let nextCr = text.indexOf("\r");
  for (;;) {
    if (lines.length === MAX_LINES) {
      if (pos < text.length) cut = true;
      break;
    }
    if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf("\n", pos);
    if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf("\r", pos);
    const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
    const stop = end === -1 ? text.length : end;
    if (stop - pos > MAX_LINE_CHARS) {
      long = true;
      lines.push(cutAt(text.slice(pos, pos + MAX_LINE_CHARS), MAX_LINE_CHARS));
    } else {
      lines.push(text.slice(pos, stop));
    }
    if (end === -1) break;
    pos = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
  }
  const notes = [];
  if (cut) notes.push(say("cut_lines", lines.length));
  if (long) notes.push(say("cut_chars", MAX_LINE_CHARS));
  const note = notes.length ? say("input_cut", undefined, { what: notes.join("; ") }) : "";
  return { lines, note };
}

// Hands the main thread back (to input, painting, other tasks) once a slice is used up:
// `if (tick.due()) await tick.pause();` in every loop over lines or patterns.
export function slicer() {
  let start = performance.now();
  return {
    due: () => performance.now() - start > SLICE_MS,
    // A timer rather than scheduler.yield(): a yielded continuation runs before other
    // tasks, so a long search would still starve timers and rendering.
    async pause() {
      await new Promise((resolve) => setTimeout(resolve, 0));
      start = performance.now();
    },
  };
}

// Encoded characters decoded in one go by queryParam.
const DECODE_CHUNK = 65536;

/**
 * The value of the first `q` parameter of a URL's query string (`location.search`), as
 * URLSearchParams gives it, but decoded a slice at a time with pauses between slices,
 * and no further than limitQuery reads: a link can carry megabytes, and decoding them
 * in one go holds the page.
 * @param {string} search
 * @returns {Promise<string>}
 */
export async function queryParam(search) {
  const m = /(?:^\?|^|&)q=/.exec(search);
  if (m === null) return "";
  const from = m.index + m[0].length;
  let to = search.indexOf("&", from);
  if (to === -1) to = search.length;
  const raw = search.slice(from, to);
  const tick = slicer();
  let out = "";
  let pos = 0;
  while (pos < raw.length && out.length <= MAX_QUERY_CHARS) {
    let end = Math.min(pos + DECODE_CHUNK, raw.length);
    if (end < raw.length) {
      // Never cut inside `%XX`, nor before a `%XX` that continues a UTF-8 sequence.
      if (raw[end - 1] === "%") end -= 1;
      else if (raw[end - 2] === "%") end -= 2;
      while (end > pos && raw[end] === "%" && /^[89ab]/i.test(raw.slice(end + 1, end + 2))) end -= 3;
      if (end <= pos) end = Math.min(pos + DECODE_CHUNK, raw.length);
    }
    const piece = raw.slice(pos, end);
    let text;
    try {
      text = decodeURIComponent(piece.replaceAll("+", " "));
    } catch (e) {
      // Malformed escapes: URLSearchParams keeps them, or replaces bad bytes with U+FFFD.
      text = new URLSearchParams("q=" + piece).get("q") || "";
    }
    out += text;
    pos = end;
    if (tick.due()) await tick.pause();
  }
  return out;
}

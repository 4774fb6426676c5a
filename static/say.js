// The browser's strings in the site's language: `say("copy")`, `say("results", 3)`.
// The strings are in i18n.js, which the build writes from the translation files
// (i18n/<language>.yaml, as `errkb` chooses them for the templates); the rules here are
// the ones src/i18n/ uses for the pages.

import data from "./i18n.js";

const strings = data.strings || {};
export const lang = data.lang || "en";

// A number as the language writes it (10,000 in English, 10.000 in German).
export function number(n) {
  try {
    return n.toLocaleString(lang);
  } catch (e) {
    return String(n);
  }
}

// The string for `key`, in the form for `count` when it has plural forms (`zero` when
// given for 0, `one` for 1, `other` otherwise), with `{count}` and each `{name}` of
// `args` filled in. An unknown key is shown as itself, so a gap is visible, not fatal.
export function say(key, count, args) {
  let t = strings[key];
  if (t === undefined) return key;
  if (typeof t === "object" && t !== null) {
    const n = count === undefined ? 1 : count;
    t = n === 0 && t.zero !== undefined ? t.zero : n === 1 ? t.one : t.other;
  }
  const vars = Object.assign({}, args);
  if (count !== undefined && vars.count === undefined) vars.count = number(count);
  return String(t).replace(/\{([a-z_]+)\}/g, (m, name) => (Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m));
}

// Search that understands pasted errors.
//
// Two tiers, both read from the split index the build writes in search/<version>/
// (see src/index/search.rs for the file formats):
//  1. Signatures: every line of the query is cleaned like `errkb match` does it and run
//     against the entries' patterns (compiled to RegExp at build time). Hits are exact:
//     they come first, most specific first, quoting the matching line. A line that only
//     `context:` patterns match (a summary line a family of errors prints) lists their
//     entries after them as "Generic line" candidates, unless one of those entries has
//     an exact match of its own in the query, as `errkb match` does.
//  2. Full text: BM25F over title, patterns, summary, cause, tags, tool and body, with
//     prefix matching on the word being typed and one typo allowed in words of 5+
//     letters. The tokenizer keeps codes, paths and dotted names (src/index/tokenize.rs).
// The index loads on first focus of the search box; shards are fetched as queries need
// them and kept for the page's lifetime.
//
// Whatever is pasted or linked (`search/?q=` of any length), one search does bounded
// work and never holds the page (see limits.js): it reads at most 10,000 lines of at
// most 2,000 characters, says so when it cut the input, and gives the main thread back
// every few milliseconds. The patterns themselves are safe for a backtracking engine: `errkb check` refuses regexes
// that are not, and templates compile to a form that cannot backtrack much
// (src/pattern/backtrack.rs, src/pattern/template.rs).
//
// The modules: tokenize.js (tokens and hashing, as the build does them), search-index.js
// (loading the manifest and shards), search-tiers.js (the two tiers, merged), and this
// one, the page: the header box and the search page.

import { MAX_LINE_CHARS, cutAt, limitQuery, queryParam } from "./limits.js";
import { Index } from "./search-index.js";
import { prefetch, search } from "./search-tiers.js";
import { number, say } from "./say.js";

// Most characters of a `search/?q=` query put into the search page's text area.
const MAX_SHOWN_CHARS = 10000;
// Results in the box's list; "All results" opens the search page with more.
const MAX_RESULTS = 5;
const MAX_PAGE_RESULTS = 30;
// Keys closer than this are a burst (no person types 14 keys a second for long): the box
// waits for its end before searching.
const BURST_MS = 75;

// ---------- rendering ----------

function highlighted(text, words) {
  const frag = document.createDocumentFragment();
  const ws = words.filter((w) => w.length >= 2).sort((a, b) => b.length - a.length);
  if (ws.length === 0) {
    frag.append(text);
    return frag;
  }
  const esc = ws.map((w) => w.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"));
  const re = new RegExp("(" + esc.join("|") + ")", "gi");
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    const mark = document.createElement("mark");
    mark.textContent = m[0];
    frag.append(mark);
    last = m.index + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}

function resultItem(r, words, base) {
  const li = document.createElement("li");
  li.setAttribute("data-search-result", r.id);
  const a = document.createElement("a");
  a.href = base + r.path;
  a.className = "result-link";
  const title = document.createElement("span");
  title.className = "result-title";
  title.append(highlighted(r.title, words));
  a.append(title);
  const meta = document.createElement("span");
  meta.className = "result-meta";
  meta.textContent = r.tool;
  if (r.exact) {
    const mark = document.createElement("span");
    mark.className = "result-exact";
    mark.textContent = say("exact_match");
    meta.append(" · ", mark);
  } else if (r.generic) {
    const mark = document.createElement("span");
    mark.className = "result-generic";
    mark.textContent = say("generic_line");
    mark.title = say("generic_line_title");
    meta.append(" · ", mark);
  }
  a.append(meta);
  if ((r.exact || r.generic) && r.line) {
    const code = document.createElement("code");
    code.className = "result-line";
    code.textContent = (r.lineNo > 1 ? say("line_number", r.lineNo) : "") + r.line;
    a.append(code);
  }
  const summary = document.createElement("span");
  summary.className = "result-summary";
  summary.textContent = r.summary.length > 180 ? r.summary.slice(0, 177) + "…" : r.summary;
  a.append(summary);
  li.append(a);
  return li;
}

function countText(n) {
  return say("results", n);
}

// ---------- the header box ----------

// The results panel, the live status line and the box's screen-reader hint are the
// script's own: made here (a page without JavaScript has no use for them, and each page
// is lighter without them). A theme that writes them into its header keeps its own.
function boxParts(form, input) {
  let panel = form.querySelector("[data-search-panel]");
  if (!panel) {
    panel = document.createElement("div");
    panel.className = "search-panel";
    panel.id = "site-search-results";
    panel.setAttribute("data-search-panel", "");
    panel.hidden = true;
    const ul = document.createElement("ul");
    ul.className = "search-results";
    ul.setAttribute("data-search-results", "");
    panel.append(ul);
    form.append(panel);
  }
  if (panel.id) input.setAttribute("aria-controls", panel.id);
  input.autocomplete = "off";
  input.spellcheck = false;
  // How the box works, for screen readers; only true where this script runs.
  if (!input.hasAttribute("aria-describedby")) {
    const hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.id = "site-search-hint";
    hint.textContent = say("search_hint");
    input.after(hint);
    input.setAttribute("aria-describedby", hint.id);
  }
  let status = document.querySelector("[data-search-status]");
  if (!status) {
    status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    status.setAttribute("data-search-status", "");
    form.after(status);
  }
  return { panel, list: panel.querySelector("[data-search-results]"), status };
}

function setupBox() {
  const form = document.querySelector("[data-search-index]");
  if (!form) return;
  const input = form.querySelector("[data-search-input]");
  const { panel, list, status } = boxParts(form, input);
  const base = form.getAttribute("data-base") || "/";
  const index = new Index(form.getAttribute("data-search-index"));
  let pasted = null;
  let seq = 0;
  let timer = 0;

  const close = () => {
    panel.hidden = true;
  };
  const links = () => Array.from(list.querySelectorAll("a"));

  const query = () => (pasted !== null ? pasted : input.value);
  // The search of the text as a burst of keys left it, run unseen while the burst goes on:
  // it downloads what its results need, and the search after the pause takes its answer
  // when the text is still the same. A newer key makes it stop before fetching results.
  let ahead = null;
  let shown = false;
  const lookAhead = (typing) => {
    const q = query();
    if (!index.manifest || !q.trim()) return;
    const t = typing && pasted === null;
    const mine = { q, t, res: null };
    mine.res = search(index, q, MAX_RESULTS, t, () => ahead !== mine || query() !== q).catch(() => null);
    ahead = mine;
  };

  // `typing`: the text came key by key, so its last word may be unfinished.
  const run = async (typing, settled) => {
    const q = query();
    const mine = ++seq;
    if (!q.trim()) {
      list.replaceChildren();
      status.textContent = "";
      close();
      return;
    }
    const t = typing && pasted === null;
    let res = null;
    try {
      if (!settled && ahead && ahead.q === q && ahead.t === t) res = await ahead.res;
      if (res === null && mine === seq) res = await search(index, q, MAX_RESULTS, t, () => mine !== seq, settled);
    } catch (e) {
      status.textContent = say("unavailable", undefined, { error: e.message });
      return;
    }
    if (res === null || mine !== seq) return;
    list.replaceChildren(...res.results.map((r) => resultItem(r, res.words, base)));
    if (res.results.length === 0) {
      const li = document.createElement("li");
      li.className = "no-results";
      li.textContent = say("no_match");
      list.append(li);
    }
    if (res.note) {
      const li = document.createElement("li");
      li.className = "no-results search-cut";
      li.textContent = res.note;
      list.append(li);
    }
    const more = document.createElement("li");
    more.className = "more-results";
    const a = document.createElement("a");
    a.href = base + "search/?q=" + encodeURIComponent(q.slice(0, 6000));
    a.textContent = say("all_results");
    more.append(a);
    list.append(more);
    status.textContent = countText(res.results.length) + (res.note ? ". " + res.note : "");
    panel.hidden = false;
    shown = true;
  };

  // Once the index is loaded a search takes a few milliseconds: answer a keystroke at
  // once, unless keys come faster than a person types (fast typing, key repeat, a paste
  // tool). Then the results shown wait for a pause after the last key, so the list and
  // its spoken count do not change under every key. A newer run makes older ones drop
  // out. When typing pauses, the last word counts as finished: one more search lets it
  // find an exact match (a typed error message often ends with its code).
  //
  // Until the box has shown results, a burst only fetches the index files its text needs
  // (`prefetch`), and the pause waited for is 36 ms while keys come steadily under 42 ms
  // apart; at the start of a burst (its first gaps are uneven) and when the last few gaps
  // were longer (a typing tool on a busy machine) a little longer than the longest of
  // them, so that no search downloads the details of results nobody sees. Until the
  // index is loaded, wait for a pause. On a first query the search waits on the index
  // files themselves: looking ahead there added the results of texts nobody saw to them
  // (5 more requests at 10k for 8 ms sooner).
  //
  // Once results are on screen, each key of a burst runs its whole search unseen
  // (`lookAhead`), results' details included, and the pause is 36 ms whatever the gaps:
  // the search after it takes the look-ahead's answer, so it is ready when the pause is
  // seen and downloads nothing more (at 10k, typed queries 56-62 -> 38-44 ms median). A
  // last word of one or two letters is only prefetched, with the waits above: it matches
  // too many words for its results to be the ones the burst ends on.
  let lastInput = 0;
  let settle = 0;
  let gaps = [];
  const schedule = (typing) => {
    clearTimeout(timer);
    clearTimeout(settle);
    const now = performance.now();
    const gap = now - lastInput;
    lastInput = now;
    const burst = gap < BURST_MS;
    gaps = burst ? [...gaps.slice(-2), gap] : [];
    const longest = Math.max(0, ...gaps);
    const steady = gaps.length >= 3 && longest < 42;
    const looking = burst && shown && !/(^|\s)\S{1,2}$/.test(query());
    // A first key alone (one word of one or two letters, the start of most queries)
    // waits to see whether a burst follows, as the keys of a burst do: answered at once,
    // it would put results on screen that nobody reads and fetch their details.
    const lone = !burst && !shown && /^\s*\S{1,2}$/.test(query());
    if (looking) lookAhead(typing);
    else if (burst || lone) prefetch(index, query());
    const wait = !index.manifest ? 60 : lone ? BURST_MS : !burst ? 0 : steady || looking ? 36 : Math.min(longest + 15, BURST_MS);
    timer = setTimeout(() => run(typing), wait);
    if (typing && /\S\s+\S/.test(input.value)) settle = setTimeout(() => run(true, true), 400);
  };

  input.addEventListener("focus", () => {
    index.load().catch(() => {});
  });
  input.addEventListener("input", (e) => {
    pasted = null;
    // Typed unless the browser says the text arrived whole (paste, drop, autocomplete).
    schedule(!["insertFromPaste", "insertFromDrop", "insertReplacementText", "insertFromYank"].includes(e.inputType));
  });
  // A pasted log keeps its line breaks (a search field would drop them), and a huge line
  // never lands whole in the field, whose layout alone would hold the page.
  input.addEventListener("paste", (e) => {
    const text = e.clipboardData && e.clipboardData.getData("text");
    if (text && (text.length > MAX_LINE_CHARS || /[\r\n]/.test(text))) {
      e.preventDefault();
      pasted = text;
      const { lines, note } = limitQuery(text);
      const shown = lines.filter((l) => l.trim());
      const count = number(shown.length) + (note ? "+" : "");
      input.value = shown.length > 1 ? shown[0].trim().slice(0, 120) + " … (" + say("lines_pasted", shown.length, { count }) + ")" : shown.join(" ");
      schedule(false);
    }
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      const l = links();
      if (l.length) {
        e.preventDefault();
        panel.hidden = false;
        l[0].focus();
      }
    } else if (e.key === "Escape") {
      if (!panel.hidden) {
        e.preventDefault();
        close();
      } else if (input.value) {
        input.value = "";
        pasted = null;
      }
    }
  });
  list.addEventListener("keydown", (e) => {
    const l = links();
    const i = l.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      l[Math.min(i + 1, l.length - 1)].focus();
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (i === 0) input.focus();
      else l[i - 1].focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
      input.focus();
    }
  });
  form.addEventListener("submit", (e) => {
    if (pasted !== null) {
      e.preventDefault();
      window.location.href = base + "search/?q=" + encodeURIComponent(pasted.slice(0, 6000));
    }
  });
  document.addEventListener("click", (e) => {
    if (!form.contains(e.target)) close();
  });
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    const typing = t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if ((e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) || (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
}

// ---------- the search page ----------

function setupPage() {
  const area = document.querySelector("[data-search-page-input]");
  const list = document.querySelector("[data-search-page-results]");
  const status = document.querySelector("[data-search-page-status]");
  const form = document.querySelector("[data-search-index]");
  if (!area || !list || !form) return;
  const base = form.getAttribute("data-base") || "/";
  const index = new Index(form.getAttribute("data-search-index"));
  queryParam(window.location.search)
    .then((q) => {
      // Laying out a text area takes time in proportion to its text: a link with a huge
      // query shows its start (the search itself reads what limitQuery allows).
      area.value = q.length > MAX_SHOWN_CHARS ? cutAt(q, MAX_SHOWN_CHARS) : q;
      if (!q.trim()) return null;
      status.textContent = say("searching");
      return search(index, q, MAX_PAGE_RESULTS, false);
    })
    .then((res) => {
      if (res === null) return;
      list.replaceChildren(...res.results.map((r) => resultItem(r, res.words, base)));
      let text = countText(res.results.length);
      if (res.results.length === 0) text += ". " + say("no_match_hint");
      else if (res.note) text += ".";
      status.textContent = res.note ? text + " " + res.note : text;
    })
    .catch((e) => {
      status.textContent = say("unavailable", undefined, { error: e.message });
    });
}

setupBox();
setupPage();
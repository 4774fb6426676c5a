// Search benchmark in real headless Chromium (puppeteer-core), driven by benches/scale.py.
//
//   node benches/search.mjs CONFIG.json > RESULT.json
//
// CONFIG: { chromium, toolsDir, typeDelayMs, timeoutMs, idleMs,
//           sites: { NAME: { url, input, ready, list, none: {sel, re} } },
//           queries: [{ name, text, mode: "type" | "paste-line", expect }],
//           typed: { site, queries: [{ text, expect }] },
//           pastes: { site, logs: [{ text, expect }] } }
//
// Each query runs in a fresh browser context (empty cache): load the site's search page,
// wait for load and for the server to be idle, then note the time, focus the box, type
// (or paste) the query, wait until results (or a clear "no results" state) are in the
// DOM, then until the server has seen no request for idleMs. The requests and bytes are
// counted by the static server (benches/static_server.py), which sees every request,
// web workers' too; this script reports the time window [tFocus, tEnd] to read its log
// with, and the time from the last keystroke to the first result in the DOM.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const require = createRequire(path.join(cfg.toolsDir, "package.json"));
const puppeteer = require("puppeteer-core");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function serverIdle(base, idleMs, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await (await fetch(new URL("/__bench__/last", base))).json();
    if (s.inflight === 0 && s.now - s.last >= idleMs / 1000) return true;
    if (Date.now() > until) return false;
    await sleep(25);
  }
}

// Runs in the page before its scripts: keystroke times, and a log of DOM mutations once
// armed (whether results, a "no results" state, or a change of the results list is seen).
function instrument(site) {
  const b = (window.__bench = { lastKey: 0, armed: false, events: [] });
  document.addEventListener("keydown", () => { b.lastKey = performance.now(); }, true);
  const noneRe = site.none && site.none.re ? new RegExp(site.none.re) : null;
  const start = () => {
    new MutationObserver((muts) => {
      if (!b.armed) return;
      const t = performance.now();
      const list = site.list ? document.querySelector(site.list) : null;
      let listChanged = false;
      if (list) {
        for (const m of muts) {
          if (m.target === list || list.contains(m.target)) { listChanged = true; break; }
        }
      }
      const ready = !!document.querySelector(site.ready);
      let none = false;
      if (site.none) {
        const el = document.querySelector(site.none.sel);
        none = !!el && (!noneRe || noneRe.test(el.textContent.trim()));
      }
      b.events.push({ t, ready, none, list: listChanged });
    }).observe(document.documentElement, { childList: true, subtree: true, characterData: true, attributes: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}

function resultIds(site) {
  if (site.resultId === "attr") {
    return Array.from(document.querySelectorAll("[data-search-result]"), (e) => e.getAttribute("data-search-result"));
  }
  return Array.from(document.querySelectorAll(".pagefind-ui__result-link"), (a) => {
    const m = new URL(a.href, location.href).pathname.match(/^\/([a-z0-9-]+)\/([a-z0-9-]+)\/?/);
    return m ? m[1] + "/" + m[2] : a.href;
  });
}

// Waits until an event after the last keystroke satisfies `kind`; returns its delay in ms.
async function waitShown(page, kind, timeoutMs) {
  try {
    await page.waitForFunction(
      (kind) => {
        const b = window.__bench;
        return b.events.some((e) => e.t >= b.lastKey && (kind === "list" ? e.list : e.ready || e.none));
      },
      { timeout: timeoutMs, polling: 5 },
      kind,
    );
  } catch (e) {
    return { state: "timeout", ms: null };
  }
  return page.evaluate((kind) => {
    const b = window.__bench;
    const e = b.events.find((e) => e.t >= b.lastKey && (kind === "list" ? e.list : e.ready || e.none));
    return { state: e.ready ? "results" : e.none ? "none" : "changed", ms: e.t - b.lastKey };
  }, kind);
}

async function openSite(browser, site, errors) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  page.on("pageerror", (e) => errors.push(String(e && e.message ? e.message : e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.setViewport({ width: 1280, height: 800 });
  await page.evaluateOnNewDocument(instrument, site);
  const tOpen = Date.now() / 1000;
  await page.goto(site.url, { waitUntil: "networkidle0", timeout: cfg.timeoutMs });
  await serverIdle(site.url, cfg.idleMs, cfg.timeoutMs);
  return { ctx, page, tOpen };
}

async function enter(page, site, q) {
  await page.evaluate(() => { window.__bench.armed = true; });
  await page.focus(site.input);
  if (q.mode === "paste-line") {
    await page.evaluate((sel, text) => {
      const el = document.querySelector(sel);
      el.value = text;
      window.__bench.lastKey = performance.now();
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, site.input, q.text);
  } else {
    await page.keyboard.type(q.text, { delay: cfg.typeDelayMs });
  }
}

async function firstQuery(browser, name, site, q) {
  const errors = [];
  const { ctx, page, tOpen } = await openSite(browser, site, errors);
  try {
    const tFocus = Date.now() / 1000;
    await enter(page, site, q);
    const shown = await waitShown(page, "shown", cfg.timeoutMs);
    await serverIdle(site.url, cfg.idleMs, cfg.timeoutMs);
    const tEnd = Date.now() / 1000;
    const ids = await page.evaluate(resultIds, site);
    return { site: name, query: q.name, mode: q.mode || "type", text: q.text, expect: q.expect, tOpen, tFocus, tEnd, shown: shown.state, firstResultMs: shown.ms, results: ids.slice(0, 10), rank: ids.indexOf(q.expect) + 1 || null, errors };
  } finally {
    await ctx.close();
  }
}

// errkb only: the index is loaded by a first query, then each further typed query (or
// pasted log) is timed from its last keystroke (or the paste event) to the results list
// changing.
async function afterLoad(browser, name, site, first, typed, pastes) {
  const errors = [];
  const { ctx, page } = await openSite(browser, site, errors);
  const out = { typed: [], pastes: [], errors };
  try {
    await enter(page, site, first);
    await waitShown(page, "shown", cfg.timeoutMs);
    await serverIdle(site.url, cfg.idleMs, cfg.timeoutMs);
    for (const q of typed) {
      await page.$eval(site.input, (el) => el.select());
      await page.keyboard.type(q.text, { delay: cfg.typeDelayMs });
      const shown = await waitShown(page, "list", cfg.timeoutMs);
      await serverIdle(site.url, cfg.idleMs, cfg.timeoutMs);
      await sleep(100);
      const ids = await page.evaluate(resultIds, site);
      out.typed.push({ text: q.text, expect: q.expect, ms: shown.ms, state: shown.state, results: ids.slice(0, 10), rank: ids.indexOf(q.expect) + 1 || null });
    }
    for (const p of pastes) {
      await page.evaluate((sel, text) => {
        const el = document.querySelector(sel);
        el.focus();
        const dt = new DataTransfer();
        dt.setData("text/plain", text);
        const ev = new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true });
        window.__bench.lastKey = performance.now();
        el.dispatchEvent(ev);
      }, site.input, p.text);
      const shown = await waitShown(page, "list", cfg.timeoutMs);
      await serverIdle(site.url, cfg.idleMs, cfg.timeoutMs);
      await sleep(100);
      const top = await page.evaluate(() => {
        const first = document.querySelector("[data-search-result]");
        return first ? { id: first.getAttribute("data-search-result"), exact: !!first.querySelector(".result-exact") } : null;
      });
      const ids = await page.evaluate(resultIds, site);
      out.pastes.push({ lines: p.text.split("\n").length, expect: p.expect, ms: shown.ms, state: shown.state, top, rank: ids.indexOf(p.expect) + 1 || null });
    }
  } finally {
    await ctx.close();
  }
  return out;
}

const browser = await puppeteer.launch({
  executablePath: cfg.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-component-update"],
});
// Chromium runs in a process group of its own: tell scale.py, which kills it if need be.
if (cfg.pidFile && browser.process()) fs.writeFileSync(cfg.pidFile, String(browser.process().pid));
const result = { version: await browser.version(), queries: [], afterLoad: null };
try {
  // Alternate the sites query by query so both share the machine's noise.
  for (const q of cfg.queries) {
    for (const name of Object.keys(cfg.sites)) {
      result.queries.push(await firstQuery(browser, name, cfg.sites[name], q));
    }
  }
  if (cfg.typed) {
    const site = cfg.sites[cfg.typed.site];
    result.afterLoad = await afterLoad(browser, cfg.typed.site, site, cfg.typed.first, cfg.typed.queries, cfg.pastes ? cfg.pastes.logs : []);
  }
} finally {
  await browser.close();
  if (cfg.pidFile) fs.rmSync(cfg.pidFile, { force: true });
}
process.stdout.write(JSON.stringify(result, null, 1) + "\n");

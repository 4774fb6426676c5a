// Page behaviour: theme toggle, copy buttons, placeholder filling, and (imported below)
// the search box. Everything here is an enhancement: without JavaScript the page is
// complete content.

import "./search.js";
import { say } from "./say.js";

const STORE = "errkb-values";

function currentTheme() {
  const forced = document.documentElement.getAttribute("data-theme");
  if (forced) return forced;
  return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function setupThemeToggle() {
  const btn = document.querySelector("[data-theme-toggle]");
  if (!btn) return;
  const render = () => {
    const dark = currentTheme() === "dark";
    btn.setAttribute("aria-pressed", String(dark));
    btn.textContent = say(dark ? "theme_light" : "theme_dark");
  };
  // The button keeps its place without JavaScript (no layout shift); it only becomes
  // visible and focusable here.
  btn.classList.remove("no-js-hidden");
  btn.removeAttribute("tabindex");
  btn.removeAttribute("aria-hidden");
  render();
  btn.addEventListener("click", () => {
    const next = currentTheme() === "dark" ? "light" : "dark";
    document.documentElement.setAttribute("data-theme", next);
    try { localStorage.setItem("errkb-theme", next); } catch (e) { /* ignore */ }
    render();
  });
}

function loadValues() {
  try { return JSON.parse(sessionStorage.getItem(STORE) || "{}") || {}; } catch (e) { return {}; }
}

function saveValues(v) {
  try { sessionStorage.setItem(STORE, JSON.stringify(v)); } catch (e) { /* ignore */ }
}

// Fills every marked slot on the page; an empty value shows the slot name again. A slot
// is written as `<span class=ph>&lt;name&gt;</span>`: its name is read from that text
// the first time and kept in data-ph.
function applyValues(values) {
  for (const el of document.querySelectorAll("code .ph")) {
    let name = el.getAttribute("data-ph");
    if (name === null) {
      name = el.textContent.replace(/^<|>$/g, "");
      el.setAttribute("data-ph", name);
    }
    const v = values[name];
    el.textContent = v ? v : "<" + name + ">";
    el.classList.toggle("ph-filled", Boolean(v));
  }
}

function setupFill() {
  const form = document.querySelector("[data-fill-form]");
  const values = loadValues();
  applyValues(values);
  if (!form) return;
  form.addEventListener("submit", (e) => e.preventDefault());
  for (const input of form.querySelectorAll("input[name]")) {
    const name = input.name;
    // Set here, not in the page: the inputs do nothing without this script.
    input.autocomplete = "off";
    input.spellcheck = false;
    if (values[name]) input.value = values[name];
    input.addEventListener("input", () => {
      const v = loadValues();
      const val = input.value.trim();
      if (val) v[name] = val; else delete v[name];
      saveValues(v);
      applyValues(v);
    });
  }
}

function setupCopy() {
  const live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  document.body.appendChild(live);
  for (const code of document.querySelectorAll("pre > code")) {
    const pre = code.parentElement;
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "copy";
    btn.textContent = say("copy");
    btn.setAttribute("aria-label", say("copy_label"));
    btn.addEventListener("click", async () => {
      const text = code.textContent;
      let ok = false;
      try {
        await navigator.clipboard.writeText(text);
        ok = true;
      } catch (e) {
        ok = false;
      }
      btn.textContent = say(ok ? "copied" : "copy_select");
      live.textContent = say(ok ? "copied_live" : "copy_failed_live");
      if (!ok) {
        const range = document.createRange();
        range.selectNodeContents(code);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
      }
      setTimeout(() => { btn.textContent = say("copy"); }, 2000);
    });
    pre.classList.add("has-copy");
    pre.appendChild(btn);
  }
}

setupThemeToggle();
setupFill();
setupCopy();

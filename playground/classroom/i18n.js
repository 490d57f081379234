// i18n.js — the classroom pages' words. Every string shown on the teacher
// and join pages lives in classroom/i18n/<lang>.json (one file for both
// pages, so a term is translated once); elements name their message with
// data-i18n="key" (text) or data-i18n-attr="attr:key,attr:key"
// (attributes), the same conventions as the playground's js/i18n.js.
'use strict';

export const LANGS = ['ko', 'en'];
const STORE = 'facewatch.classroom.lang';
let lang = 'en';
let messages = {};
const cache = new Map();
const listeners = new Set();

/** The language to start in: ?lang=, this tab's last choice, then the browser's preference. */
export function initialLang() {
  const q = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(q)) return q;
  let kept = null;
  try { kept = sessionStorage.getItem(STORE); } catch (_) { /* storage off */ }
  if (LANGS.includes(kept)) return kept;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const p = String(l).slice(0, 2).toLowerCase();
    if (LANGS.includes(p)) return p;
  }
  return 'en';
}

export function currentLang() { return lang; }
export function onLang(f) { listeners.add(f); }

/** t returns the message for key with {name} placeholders filled. */
export function t(key, vars = {}) {
  const m = messages[key];
  if (m === undefined) return key;
  return m.replace(/\{(\w+)\}/g, (s, k) => (k in vars ? String(vars[k]) : s));
}

/** num formats a number for the current language. */
export function num(n, opts) {
  return Number(n).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US', opts);
}

async function load(l) {
  if (!cache.has(l)) {
    const r = await fetch(`i18n/${l}.json`, { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`i18n/${l}.json: ${r.status}`);
    cache.set(l, await r.json());
  }
  return cache.get(l);
}

/** setLang loads and applies a language to the document. */
export async function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  messages = await load(l);
  lang = l;
  try { sessionStorage.setItem(STORE, l); } catch (_) { /* storage off */ }
  document.documentElement.lang = l;
  apply(document);
  for (const b of document.querySelectorAll('[data-lang]')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === l));
  }
  for (const f of listeners) f(l);
}

/** apply fills every data-i18n element under root. */
export function apply(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

/** wireLangButtons makes every [data-lang] button switch the language. */
export function wireLangButtons() {
  for (const b of document.querySelectorAll('[data-lang]')) {
    b.addEventListener('click', () => { setLang(b.dataset.lang); });
  }
}

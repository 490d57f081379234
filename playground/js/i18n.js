// i18n.js — the one module that puts words on every page. Words live in
// message files, i18n/<prefix><lang>.json relative to the page (the
// playground: i18n/<lang>.json and i18n/story.<lang>.json; the classroom
// and the guide configure their own, see classroom/i18n.js); elements name
// their message with data-i18n="key" (text) or
// data-i18n-attr="attr:key,attr:key" (attributes). The files come through
// net.js, like every request the pages make.
import { fetchBytes } from './net.js';

export const LANGS = ['ko', 'en'];
let lang = 'en';
let messages = {};
const cache = new Map();
const listeners = new Set();

// FILES are the message files of each language, merged in order (by
// default the live scenes' and the story scenes'); STORE, when set, keeps
// the visitor's choice for this tab (sessionStorage).
let FILES = ['', 'story.'];
let STORE = null;

/**
 * configure sets the message files (prefixes of <lang>.json under i18n/)
 * and, optionally, a sessionStorage key keeping the language for this tab.
 * Call it before the first setLang.
 */
export function configure({ files = FILES, store = null } = {}) {
  FILES = files;
  STORE = store;
  cache.clear();
}

/** The language to start in: ?lang=, this tab's last choice (if kept), then the browser's preference. */
export function initialLang() {
  const q = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(q)) return q;
  let kept = null;
  if (STORE) {
    try { kept = sessionStorage.getItem(STORE); } catch (_) { /* storage off */ }
  }
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
    const bufs = await Promise.all(FILES.map((f) => fetchBytes(`i18n/${f}${l}.json`)));
    cache.set(l, Object.assign({}, ...bufs.map((b) => JSON.parse(new TextDecoder().decode(b)))));
  }
  return cache.get(l);
}

/** setLang loads and applies a language to the document. */
export async function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  messages = await load(l);
  lang = l;
  if (STORE) {
    try { sessionStorage.setItem(STORE, l); } catch (_) { /* storage off */ }
  }
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

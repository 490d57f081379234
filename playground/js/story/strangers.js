// strangers.js — "Search me against 100 strangers": the bundled stranger
// gallery (assets/strangers, see its SOURCES), fetched only when the
// visitor asks, handed to the worker once and searched there
// (wasm/internal/story.Strangers). Nothing is sent anywhere: the files
// come from this site and the search runs on this device.
import { t, currentLang } from '../i18n.js';
import { fetchBytes } from '../net.js';
import { askTimed, loadStrangers } from './rpc.js';
import { misid } from './misid.js';

const $ = (id) => document.getElementById(id);
const BASE = 'models/strangers/';
const SHOW = 8;

export const strangers = {
  n: 0,            // faces in the gallery, once loaded
  bytes: 0,        // bytes fetched for it
  manifest: null,
  report: null,    // the worker's SearchReport
  searchMs: null,  // the last search in the worker (Go, JSON in and out)
  roundTripMs: null, // the same, measured on the page (worker round trip)
  busy: false,
  error: null,
};

let ctx = null;
let sprite = null; // the thumbnails, as an ImageBitmap
let running = false, again = false;
const listeners = new Set();

/** onStrangers calls f(report) after every search. */
export function onStrangers(f) { listeners.add(f); }

const fmt = (x) => Number(x).toFixed(2);
const num = (x) => new Intl.NumberFormat(currentLang()).format(x);

async function load() {
  if (strangers.n) return;
  setStatus('misid.strangers.loading');
  const [man, vec, png] = await Promise.all(['strangers.json', 'strangers.f32', 'strangers.png'].map((f) => fetchBytes(BASE + f)));
  strangers.bytes = man.byteLength + vec.byteLength + png.byteLength;
  const text = new TextDecoder().decode(man);
  strangers.manifest = JSON.parse(text);
  sprite = await createImageBitmap(new Blob([png], { type: 'image/png' }));
  await ctx.ensureModels();
  const r = await loadStrangers(ctx.worker(), text, vec);
  strangers.n = r.n;
}

let lastStatus = null;
function setStatus(key, vars) {
  lastStatus = key ? { key, vars } : null;
  $('misid-strangers-status').textContent = key ? t(key, vars) : '';
}

/** search loads the gallery (the first time) and searches it for the visitor. */
export async function search() {
  if (!misid.you.length) { setStatus('misid.strangers.enrolFirst'); $('misid-enrol').focus(); return; }
  if (running) { again = true; return; }
  running = true;
  strangers.busy = true;
  $('misid-strangers-btn').disabled = true;
  try {
    await load();
    do {
      again = false;
      const t0 = performance.now();
      const r = await askTimed(ctx.worker(), { op: 'strangers', you: misid.you.map((y) => y.embedding), threshold: misid.threshold, k: SHOW, bins: 24 });
      strangers.roundTripMs = performance.now() - t0;
      strangers.report = r.answer;
      strangers.searchMs = r.ms;
    } while (again);
    strangers.error = null;
    setStatus(null);
    render();
    for (const f of listeners) f(strangers.report);
  } catch (e) {
    strangers.error = e.message;
    setStatus('misid.strangers.failed', { error: e.message });
  } finally {
    running = false;
    strangers.busy = false;
    $('misid-strangers-btn').disabled = false;
  }
}

/** rerun searches again after a new enrolment or threshold (only once searched). */
export function rerun() { if (strangers.report) search(); }

function thumb(pos, label) {
  const m = strangers.manifest;
  const c = document.createElement('canvas');
  const s = m.thumbSize;
  c.width = s; c.height = s;
  c.className = 'thumb';
  c.getContext('2d').drawImage(sprite, (pos % m.thumbCols) * s, Math.floor(pos / m.thumbCols) * s, s, s, 0, 0, s, s);
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}

/** countBelow is the number of strangers closer than x. */
export function countBelow(x) {
  const r = strangers.report;
  if (!r) return 0;
  let n = 0;
  while (n < r.distances.length && r.distances[n] < x) n++;
  return n;
}

/** render draws the last search (also after a language change or a threshold move). */
export function render() {
  const r = strangers.report;
  $('misid-strangers-btn').textContent = t(r ? 'misid.strangers.again' : 'misid.strangers.button', { n: strangers.n || 100 });
  if (lastStatus) $('misid-strangers-status').textContent = t(lastStatus.key, lastStatus.vars);
  const out = $('misid-strangers-out');
  out.hidden = !r;
  if (!r) return;
  const th = misid.threshold;
  const raised = countBelow(th);
  const sum = $('misid-strangers-summary');
  sum.textContent = t(raised ? 'misid.strangers.raised' : 'misid.strangers.noneRaised', { k: num(raised), n: num(r.n), th: fmt(th), d: r.distances[0].toFixed(3) });
  sum.classList.toggle('alarm', raised > 0);
  $('misid-strangers-ol').replaceChildren(...r.nearest.map((s, i) => {
    const li = document.createElement('li');
    li.className = s.distance < th ? 'match' : 'nomatch';
    li.dataset.id = s.id;
    const name = t('misid.strangers.name', { i: i + 1 });
    li.append(thumb(s.pos, name));
    const txt = document.createElement('span');
    const d = document.createElement('strong');
    d.textContent = s.distance.toFixed(3); // three decimals: 0.634 is below a threshold of 0.64
    // "to" is the first slider value (0.01 steps) above the distance: the
    // threshold at which this stranger is raised as "you".
    const to = (Math.floor(s.distance * 100 + 1e-9) + 1) / 100;
    const verdict = s.distance < th ? t('misid.strangers.isYou', { th: fmt(th) }) : t('misid.strangers.move', { by: fmt(to - th), to: fmt(to) });
    txt.append(`${name} — ${t('misid.strangers.distance')} `, d, ` — ${verdict}`);
    li.append(txt);
    return li;
  }));
  $('misid-strangers-meta').textContent = t('misid.strangers.meta', { bytes: num(strangers.bytes), ms: strangers.searchMs == null ? '—' : new Intl.NumberFormat(currentLang(), { maximumFractionDigits: 1 }).format(strangers.searchMs), n: num(r.n) });
}

/** initStrangers wires the button. */
export function initStrangers(context) {
  ctx = context;
  $('misid-strangers-btn').addEventListener('click', search);
  $('misid-strangers-br').addEventListener('click', () => {
    ctx.showBaseRate('strangers');
  });
  // Where to go next: the case these faces are part of.
  $('misid-next').addEventListener('click', () => { $('tab-data').click(); $('tab-data').focus(); });
  render();
}

// baserate.js — the base-rate panel: a gallery size × a false match rate →
// expected innocent candidates per search, the chance an alert is right,
// and a crowd picture. The arithmetic is facelib/match.BaseRate, run in the
// worker; the presets are sources.json's (the Go test computes
// testdata/baserate.json from the same presets).
import { t, currentLang } from '../i18n.js';
import { ask } from './rpc.js';
import { sources } from './sources.js';
import { misid } from './misid.js';
import { strangers, countBelow } from './strangers.js';

const $ = (id) => document.getElementById(id);
const MAX_FIGURES = 240;
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

export const baseRate = {
  gallery: 'korean',
  rate: 'million',
  rates: {},     // rate id → per-comparison rate (measured, presets, derived)
  last: null,    // { gallery, rate, n, f, result }
};

let ctx = null;
let running = false, again = false;

function presets() { return sources().baseRate; }

function galleryN(id) {
  if (id === 'this') return misid.gallery.length;
  if (id === 'strangers') return strangers.n;
  return presets().galleries.find((g) => g.id === id).n;
}

// measuredRate is the share of strangers raised at the threshold: from the
// bundled gallery once searched, else from the visitor's own gallery.
function measuredRate() {
  const s = strangers.report;
  if (s && countBelow(misid.threshold) > 0) return countBelow(misid.threshold) / s.n;
  const r = misid.report;
  return r && r.fmrDefined && r.fmr > 0 ? r.fmr : null;
}

function sci(f) {
  if (!(f > 0)) return '0';
  const e = Math.floor(Math.log10(f));
  const m = f / 10 ** e;
  const sup = String(e).replace(/[-0-9]/g, (c) => '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'['-0123456789'.indexOf(c)]);
  return `${m.toFixed(2)} × 10${sup}`;
}

/** formatCount shows an expected count: whole numbers from 10 up. */
export function formatCount(x, lang = currentLang()) {
  const opts = x >= 10 ? { maximumFractionDigits: 0 } : x >= 1 ? { maximumFractionDigits: 1 } : { maximumSignificantDigits: 2 };
  return new Intl.NumberFormat(lang, opts).format(x);
}

function formatPct(x, lang = currentLang()) {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumSignificantDigits: 3 }).format(x);
}

function radio(group, id, label, checked) {
  const l = document.createElement('label');
  l.className = 'choice';
  const r = document.createElement('input');
  r.type = 'radio';
  r.name = group;
  r.value = id;
  r.checked = checked;
  r.addEventListener('change', () => { if (r.checked) { baseRate[group === 'br-gallery' ? 'gallery' : 'rate'] = id; compute(); } });
  l.append(r, ' ', label);
  return l;
}

function renderChoices() {
  const gs = [['this', t('br.g.this', { n: misid.gallery.length })], ...(strangers.n ? [['strangers', t('br.g.strangers', { n: strangers.n })]] : []), ...presets().galleries.map((g) => [g.id, t(`br.g.${g.id}`)])];
  $('br-galleries').replaceChildren(...gs.map(([id, label]) => radio('br-gallery', id, label, baseRate.gallery === id)));
  const m = measuredRate();
  const rs = [['measured', m === null ? t('br.r.measuredNone') : t('br.r.measured', { f: sci(m) })],
    ...presets().rates.map((r) => [r.id, t(`br.r.${r.id}`, { f: baseRate.rates[r.id] ? sci(baseRate.rates[r.id]) : '…' })])];
  $('br-rates').replaceChildren(...rs.map(([id, label]) => {
    const el = radio('br-rate', id, label, baseRate.rate === id);
    if (id === 'measured' && m === null) el.querySelector('input').disabled = true;
    return el;
  }));
  const srcs = new Set();
  const g = presets().galleries.find((x) => x.id === baseRate.gallery);
  const r = presets().rates.find((x) => x.id === baseRate.rate);
  for (const s of [...(g ? g.sources : []), ...(r ? r.sources : [])]) srcs.add(s);
  $('br-src').dataset.src = [...srcs].join(' ') || 'illustration';
}

/** compute asks the worker for the chosen case and draws it. */
export async function compute() {
  if (!ctx.worker()) return;
  if (running) { again = true; return; }
  running = true;
  try {
    do {
      again = false;
      const p = presets();
      for (const r of p.rates) {
        if (r.f !== undefined) baseRate.rates[r.id] = r.f;
        else if (r.derive && baseRate.rates[r.id] === undefined) {
          const d = r.derive;
          baseRate.rates[r.id] = (await ask(ctx.worker(), { op: 'perComparison', p: d.falseSearches / d.searches, n: d.gallery })).rate;
        }
      }
      const m = measuredRate();
      if (m !== null) baseRate.rates.measured = m; else delete baseRate.rates.measured;
      if (baseRate.rate === 'measured' && m === null) baseRate.rate = 'million';
      const gallery = baseRate.gallery, rate = baseRate.rate;
      const n = galleryN(gallery);
      const f = baseRate.rates[rate];
      const res = await ask(ctx.worker(), {
        op: 'baseRate',
        inputs: [{ gallerySize: n, falseMatchRate: f, prevalence: p.prevalence, truePositiveRate: p.truePositiveRate }],
      });
      baseRate.last = { gallery, rate, n, f, result: res.results[0] };
    } while (again);
  } finally {
    running = false;
  }
  render();
}

/** render draws the last result (also after a language change). */
export function render() {
  if (!sources()) return;
  renderChoices();
  ctx.citations($('br-src').parentElement);
  const last = baseRate.last;
  if (!last) return;
  const r = last.result;
  $('br-false').textContent = formatCount(r.expectedFalseCandidates);
  $('br-false-label').textContent = t('br.falseLabel');
  $('br-precision').textContent = r.precisionDefined ? formatPct(r.precision) : '—';
  // Above 99.99 % a rounded "100 %" would claim certainty.
  $('br-any').textContent = r.probAnyFalse > 0.9999 && r.probAnyFalse < 1 ? `> ${formatPct(0.9999)}` : formatPct(r.probAnyFalse);
  $('br-measured-note').hidden = baseRate.rate !== 'measured';
  drawCrowd(r.expectedFalseCandidates);
}

// crowdGen identifies the latest drawing: an animation from an earlier
// call stops instead of drawing over the new picture.
let crowdGen = 0;

function drawCrowd(falseN) {
  const gen = ++crowdGen;
  const c = $('br-crowd');
  const w = c.clientWidth || 320;
  const count = Math.round(falseN);
  let per = 1;
  while (count / per > MAX_FIGURES) per *= 10;
  const figures = Math.ceil(count / per);
  const cell = 24;
  const cols = Math.max(1, Math.floor((w - 8) / cell));
  const rows = Math.ceil((figures + 1) / cols);
  const h = Math.max(48, rows * (cell + 10) + 8);
  c.width = w; c.height = h;
  const g = c.getContext('2d');
  g.clearRect(0, 0, w, h);
  const person = (i, color) => {
    const x = 4 + (i % cols) * cell + cell / 2, y = 6 + Math.floor(i / cols) * (cell + 10);
    g.fillStyle = color;
    g.beginPath(); g.arc(x, y + 5, 5, 0, 2 * Math.PI); g.fill();
    g.beginPath(); g.roundRect(x - 7, y + 12, 14, 16, 4); g.fill();
  };
  person(0, '#ff8c42');
  const animate = !reducedMotion.matches && figures > 1;
  let drawn = 0;
  const step = () => {
    if (gen !== crowdGen) return;
    const to = animate ? Math.min(figures, drawn + Math.max(1, Math.ceil(figures / 30))) : figures;
    for (; drawn < to; drawn++) person(drawn + 1, '#8a96a0');
    if (drawn < figures) requestAnimationFrame(step);
  };
  step();
  const vars = { falseN: formatCount(falseN), per: new Intl.NumberFormat(currentLang()).format(per) };
  const cap = t(per > 1 ? 'br.crowdScaled' : 'br.crowd', vars);
  $('br-crowd-caption').textContent = cap;
  c.setAttribute('aria-label', cap);
}

/**
 * show takes the visitor from the stranger search to the panel: the
 * measured rate (when a stranger was raised) at national scale, the
 * panel scrolled into view and its heading focused.
 */
export async function show() {
  baseRate.gallery = 'korean';
  if (measuredRate() !== null) baseRate.rate = 'measured';
  await compute();
  const h = $('br-title');
  h.scrollIntoView({ block: 'start', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
  h.focus({ preventScroll: true });
}

/** initBaseRate wires the panel; compute() runs once the worker is up. */
export function initBaseRate(context) {
  ctx = context;
}

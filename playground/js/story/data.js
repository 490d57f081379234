// data.js — "Where did the faces go?": the flow of records (counters on a
// labelled log scale), and the visitor's own face as a record like the
// shared ones, computed on this device.
import { t, currentLang } from '../i18n.js';
import { bytesSent } from '../net.js';
import { facesIn } from './rpc.js';

const $ = (id) => document.getElementById(id);
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
const LOG_MAX = 9; // the axis runs from 10^0 to 10^9 records

let ctx = null;
export const record = { embedding: null };

// The two record counts, as the sources give them (sources.json), shown
// in the page language.
const COUNTS = { korean: 57600000, foreign: 120000000 };

function formatRecords(n, lang = currentLang()) {
  return new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en', { notation: 'compact', compactDisplay: 'long', maximumFractionDigits: 1 }).format(n);
}

/** words returns the count as the sources write it: "57.6 million", "5,760만". */
export function words(n, lang = currentLang()) {
  if (lang === 'ko') {
    const eok = Math.floor(n / 1e8), man = Math.round((n % 1e8) / 1e4);
    const manText = man % 1000 === 0 && eok ? `${man / 1000}천만` : `${man.toLocaleString('en')}만`;
    return [eok ? `${eok}억` : '', man ? manText : ''].filter(Boolean).join(' ');
  }
  return formatRecords(n, lang);
}

let animId = 0;
/** playFlow animates the counters and bars (at once under reduced motion). */
export function playFlow() {
  const id = ++animId;
  const start = performance.now();
  const dur = reducedMotion.matches ? 0 : 2500;
  $('flow').classList.toggle('moving', !reducedMotion.matches);
  const frame = (now) => {
    if (id !== animId) return;
    const k = dur ? Math.min(1, (now - start) / dur) : 1;
    for (const [key, n] of Object.entries(COUNTS)) {
      // Grow along the log axis, so the bar moves steadily.
      const v = k >= 1 ? n : Math.round(10 ** (k * Math.log10(n)));
      $(`flow-${key}-n`).textContent = k >= 1 ? words(n) : new Intl.NumberFormat(currentLang()).format(v);
      $(`flow-${key}-bar`).style.width = `${(100 * Math.log10(Math.max(1, v))) / LOG_MAX}%`;
    }
    if (k < 1) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

function renderAxis() {
  const ticks = [];
  for (let e = 0; e <= LOG_MAX; e += 3) {
    const s = document.createElement('span');
    s.textContent = `10${'⁰¹²³⁴⁵⁶⁷⁸⁹'[e]}`;
    s.style.left = `${(100 * e) / LOG_MAX}%`;
    ticks.push(s);
  }
  $('flow-axis').replaceChildren(...ticks);
}

let statusMsg = null;
function status(key, vars) {
  statusMsg = { key, vars };
  $('data-you-status').textContent = key === null ? vars : t(key, vars);
}

async function makeRecord() {
  if (!ctx.hasSource()) { status('misid.enrol.noSource'); return; }
  status('misid.enrol.loading');
  try {
    await ctx.ensureModels();
    const img = ctx.still();
    const faces = img ? await facesIn(ctx.worker(), img) : [];
    if (!faces.length) { status('data.you.none'); return; }
    const f = faces[0];
    $('data-chip').getContext('2d').putImageData(f.chip, 0, 0);
    record.embedding = f.embedding;
    drawNumbers();
    status('data.you.done');
  } catch (e) {
    status(null, e.message);
  }
  renderSent();
}

function drawNumbers() {
  const d = record.embedding;
  if (!d) return;
  const c = $('data-strip');
  const g = c.getContext('2d');
  const w = c.width / d.length;
  let maxAbs = 1e-6;
  for (const v of d) maxAbs = Math.max(maxAbs, Math.abs(v));
  g.clearRect(0, 0, c.width, c.height);
  d.forEach((v, i) => {
    const a = Math.abs(v) / maxAbs;
    g.fillStyle = v < 0 ? `rgba(77,195,255,${0.15 + 0.85 * a})` : `rgba(255,140,66,${0.15 + 0.85 * a})`;
    g.fillRect(i * w, 0, Math.ceil(w), c.height);
  });
  $('data-numbers').textContent = d.map((v) => v.toFixed(3)).join(' ');
}

export function renderSent() {
  $('data-sent').textContent = t('data.sent', { n: bytesSent().toLocaleString(currentLang()) });
}

export function initData(context) {
  ctx = context;
  renderAxis();
  $('data-record-btn').addEventListener('click', makeRecord);
  $('flow-replay').addEventListener('click', playFlow);
}

export function relabel() {
  if (statusMsg) status(statusMsg.key, statusMsg.vars);
  for (const [key, n] of Object.entries(COUNTS)) $(`flow-${key}-n`).textContent = words(n);
  renderSent();
}

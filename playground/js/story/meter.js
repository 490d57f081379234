// meter.js — "Are you still you?": after enrolment, the distance between
// the face in view and the enrolment, against the threshold, at most twice
// a second (each look is one embedding in the worker, on the story request
// path: wasm/internal/story, op "distance"). Turn the head, cover an eye,
// change the light: above the threshold the machine no longer recognises
// the visitor, a false non-match.
import { t } from '../i18n.js';
import { ask, facesIn } from './rpc.js';
import { misid } from './misid.js';

const $ = (id) => document.getElementById(id);
const GAP_MS = 500;      // at most 2 looks a second
const WINDOW_S = 10;     // misses are counted over the last 10 s
const HISTORY_S = 30;
const MAX = 1.2;

export const meter = {
  running: false,
  visible: false,
  paused: false,   // the visitor stopped it
  samples: [],     // [{t, d}] d = null when no face was in view
  last: null,
};

let ctx = null;
let loop = 0;

function fmt(x) { return Number(x).toFixed(2); }

/** stats counts the looks and misses of the last WINDOW_S seconds. */
export function stats(now = performance.now()) {
  const recent = meter.samples.filter((s) => now - s.t <= WINDOW_S * 1000);
  const faces = recent.filter((s) => s.d !== null);
  return { looks: recent.length, faces: faces.length, misses: faces.filter((s) => s.d >= misid.threshold).length, noFace: recent.length - faces.length };
}

async function look(gen) {
  while (gen === loop && meter.running) {
    const t0 = performance.now();
    try {
      const img = ctx.still();
      let d = null;
      if (img) {
        const faces = await facesIn(ctx.worker(), img);
        if (faces.length && misid.you.length) {
          d = (await ask(ctx.worker(), { op: 'distance', you: misid.you.map((y) => y.embedding), face: faces[0].embedding })).distance;
        }
      }
      if (gen !== loop) return;
      const s = { t: performance.now(), d };
      meter.samples.push(s);
      meter.last = s;
      const cut = s.t - HISTORY_S * 1000;
      while (meter.samples.length && meter.samples[0].t < cut) meter.samples.shift();
      render();
    } catch (e) {
      $('meter-now').textContent = e.message;
    }
    const wait = Math.max(0, GAP_MS - (performance.now() - t0));
    await new Promise((r) => setTimeout(r, wait));
  }
}

function update() {
  const want = meter.visible && !meter.paused && misid.you.length > 0 && ctx.hasSource();
  $('meter-toggle').disabled = misid.you.length === 0;
  if (want === meter.running) { renderButton(); return; }
  meter.running = want;
  renderButton();
  if (want) look(++loop); else loop++;
}

function renderButton() {
  const b = $('meter-toggle');
  b.textContent = t(meter.running ? 'meter.pause' : misid.you.length ? 'meter.start' : 'meter.enrolFirst');
  b.setAttribute('aria-pressed', String(meter.running));
}

/** render draws the last look (also on a language change or a threshold move). */
export function render() {
  renderButton();
  // Before enrolment there is nothing to measure: only the text says so.
  const none = misid.you.length === 0;
  for (const id of ['meter-toggle', 'meter-bar', 'meter-history', 'meter-misses']) $(id).hidden = none;
  const th = misid.threshold;
  $('meter-th').style.left = `${(th / MAX) * 100}%`;
  const s = meter.last;
  const bar = $('meter-bar');
  const now = $('meter-now');
  bar.classList.remove('ok', 'miss');
  if (!s) {
    $('meter-fill').style.width = '0';
    now.textContent = t(misid.you.length ? 'meter.waiting' : 'meter.enrolFirst');
  } else if (s.d === null) {
    $('meter-fill').style.width = '0';
    now.textContent = t('meter.noFace');
  } else {
    const miss = s.d >= th;
    $('meter-fill').style.width = `${Math.min(1, s.d / MAX) * 100}%`;
    bar.classList.add(miss ? 'miss' : 'ok');
    bar.setAttribute('aria-valuenow', fmt(s.d));
    bar.setAttribute('aria-valuetext', fmt(s.d));
    now.textContent = t(miss ? 'meter.miss' : 'meter.ok', { d: fmt(s.d), th: fmt(th) });
  }
  const st = stats();
  $('meter-misses').textContent = st.looks ? t('meter.misses', { s: WINDOW_S, misses: st.misses, faces: st.faces, none: st.noFace }) : '';
  drawHistory();
}

function drawHistory() {
  const c = $('meter-history');
  const w = c.clientWidth || 300, h = 80;
  if (c.width !== w) c.width = w;
  c.height = h;
  const g = c.getContext('2d');
  g.fillStyle = '#0b0e11';
  g.fillRect(0, 0, w, h);
  const now = performance.now();
  const right = w - 8;
  const x = (tt) => right - ((now - tt) / (HISTORY_S * 1000)) * right;
  const y = (d) => h - 4 - (Math.min(d, MAX) / MAX) * (h - 8);
  g.strokeStyle = '#ffcc00';
  g.lineWidth = 2;
  g.setLineDash([6, 4]);
  g.beginPath(); g.moveTo(0, y(misid.threshold)); g.lineTo(w, y(misid.threshold)); g.stroke();
  g.setLineDash([]);
  g.fillStyle = '#ffcc00';
  g.font = '13px system-ui, sans-serif';
  g.fillText(fmt(misid.threshold), 4, Math.max(14, y(misid.threshold) - 4));
  for (const s of meter.samples) {
    if (s.d === null) { g.fillStyle = '#55606a'; g.fillRect(x(s.t) - 2, h - 8, 4, 4); continue; }
    g.fillStyle = s.d >= misid.threshold ? '#ff6b6b' : '#5be49b';
    g.beginPath(); g.arc(x(s.t), y(s.d), 3.5, 0, 2 * Math.PI); g.fill();
  }
  const st = stats(now);
  c.setAttribute('aria-label', t('meter.historyLabel', { s: HISTORY_S, misses: st.misses, faces: st.faces }));
}

/** setVisible starts the meter while its scene is shown (and stops it otherwise). */
export function setVisible(v) { meter.visible = v; update(); }

/** enrolled restarts the meter after a new enrolment. */
export function enrolled() { meter.samples = []; meter.last = null; update(); render(); }

/** initMeter wires the button. */
export function initMeter(context) {
  ctx = context;
  $('meter-toggle').addEventListener('click', () => { meter.paused = meter.running; update(); });
  render();
}

// misid.js — "Who does the machine think you are?": enrol the visitor,
// build a gallery only from what they give, and show who is raised as
// "you" at the threshold they choose. The numbers come from the worker
// (wasm/internal/story, facelib/match); this file only draws them.
import { t, currentLang } from '../i18n.js';
import { ask, facesIn, pixelsOf } from './rpc.js';

const $ = (id) => document.getElementById(id);
const ENROL_FRAMES = 5;
const ENROL_GAP_MS = 350;
const TOP = 5;
const IMAGE_EXT = /\.(jpe?g|png|gif|webp|bmp|avif)$/i;

export const misid = {
  you: [],        // [{embedding, chip}]
  gallery: [],    // [{id, file, n, embedding, chip, mine}]
  threshold: 0.6,
  report: null,   // the worker's RatesReport
  messages: [],   // [{key, vars}]
  busy: false,
};

let ctx = null;
let nextId = 1;
let ratesRunning = false, ratesAgain = false;
const listeners = new Set();
const enrolListeners = new Set();
const thresholdListeners = new Set();

/** onReport calls f(report) after every new comparison. */
export function onReport(f) { listeners.add(f); }

/** onEnrol calls f() after every new enrolment. */
export function onEnrol(f) { enrolListeners.add(f); }

/** onThreshold calls f(threshold) whenever the slider moves. */
export function onThreshold(f) { thresholdListeners.add(f); }

function fmt(x, digits = 2) { return Number(x).toFixed(digits); }
function pct(x) { return new Intl.NumberFormat(currentLang(), { style: 'percent', maximumFractionDigits: 1 }).format(x); }

function chipCanvas(img, size, label) {
  const c = document.createElement('canvas');
  c.width = 150; c.height = 150;
  c.getContext('2d').putImageData(img, 0, 0);
  c.className = `chip-${size}`;
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}

// Status lines remember their message, so a language change re-renders them.
const statuses = new Map();
function setStatus(id, key, vars) {
  statuses.set(id, { key, vars });
  $(id).textContent = key === null ? vars : t(key, vars);
}

// ---------- enrolment ----------

async function enrol() {
  const status = (key, vars) => setStatus('misid-enrol-status', key, vars);
  if (!ctx.hasSource()) { status('misid.enrol.noSource'); return; }
  if (misid.busy) return;
  misid.busy = true;
  $('misid-enrol').disabled = true;
  try {
    status('misid.enrol.loading');
    await ctx.ensureModels();
    const got = [];
    for (let i = 0; i < ENROL_FRAMES; i++) {
      status('misid.enrol.taking', { n: i + 1, total: ENROL_FRAMES });
      const img = ctx.still();
      if (img) {
        const faces = await facesIn(ctx.worker(), img);
        if (faces.length) got.push({ embedding: faces[0].embedding, chip: faces[0].chip });
      }
      if (i < ENROL_FRAMES - 1) await new Promise((r) => setTimeout(r, ENROL_GAP_MS));
    }
    if (!got.length) { status('misid.enrol.none'); return; }
    misid.you = got;
    status('misid.enrol.done', { n: got.length });
    $('misid-enrol').textContent = t('misid.enrol.again');
    renderYou();
    for (const f of enrolListeners) f();
    await refresh();
  } catch (e) {
    status(null, e.message);
  } finally {
    misid.busy = false;
    $('misid-enrol').disabled = false;
  }
}

function renderYou() {
  $('misid-you').replaceChildren(...misid.you.map((y, i) => {
    const d = document.createElement('div');
    d.setAttribute('role', 'listitem');
    d.append(chipCanvas(y.chip, 'small', `${t('misid.enrol.list')} ${i + 1}`));
    return d;
  }));
}

// ---------- gallery ----------

function say(key, vars) {
  misid.messages.push({ key, vars });
  if (misid.messages.length > 30) misid.messages.shift();
  renderMessages();
}

function renderMessages() {
  $('misid-messages').replaceChildren(...misid.messages.slice(-8).map((m) => {
    const li = document.createElement('li');
    li.textContent = t(m.key, m.vars);
    if (m.key !== 'misid.msg.found') li.className = 'warn';
    return li;
  }));
}

function addFaces(file, faces) {
  faces.forEach((f, i) => misid.gallery.push({ id: `g${nextId++}`, file, n: i + 1, embedding: f.embedding, chip: f.chip, mine: false }));
}

/** addFiles reads picked or dropped files (folders included) locally. */
export async function addFiles(files) {
  const list = [...files];
  if (!list.length) return;
  $('misid-own').open = true; // show what becomes of them
  await ctx.ensureModels();
  for (const file of list) {
    const name = file.webkitRelativePath || file.name;
    if (!(file.type || '').startsWith('image/') && !IMAGE_EXT.test(file.name)) { say('misid.msg.notImage', { file: name }); continue; }
    say('misid.msg.working', { file: name });
    let bmp;
    try {
      bmp = await createImageBitmap(file);
    } catch (_) {
      misid.messages.pop();
      say('misid.msg.unreadable', { file: name });
      continue;
    }
    const img = pixelsOf(bmp, bmp.width, bmp.height);
    bmp.close();
    let faces;
    try {
      faces = await facesIn(ctx.worker(), img);
    } catch (e) {
      misid.messages.pop();
      say('misid.msg.unreadable', { file: name });
      continue;
    }
    misid.messages.pop();
    if (!faces.length) { say('misid.msg.noFace', { file: name }); continue; }
    addFaces(name, faces);
    say('misid.msg.found', { file: name, n: faces.length });
    renderGallery();
  }
  await refresh();
}

async function addInView() {
  if (!ctx.hasSource()) return;
  await ctx.ensureModels();
  const img = ctx.still();
  if (!img) return;
  const faces = (await facesIn(ctx.worker(), img)).slice(1); // the largest is the visitor
  if (!faces.length) { say('misid.msg.inViewNone'); return; }
  const name = t('misid.gallery.inView');
  addFaces(name, faces);
  say('misid.msg.found', { file: name, n: faces.length });
  renderGallery();
  await refresh();
}

function renderGallery() {
  $('misid-count').textContent = misid.gallery.length ? t('misid.gallery.count', { n: misid.gallery.length }) : t('misid.gallery.empty');
  $('misid-gallery').replaceChildren(...misid.gallery.map((g) => {
    const li = document.createElement('li');
    li.dataset.id = g.id;
    const label = t('misid.gallery.face', { n: g.n, file: g.file });
    li.append(chipCanvas(g.chip, 'small', label));
    const cap = document.createElement('span');
    cap.className = 'name';
    cap.textContent = label;
    const mine = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = g.mine;
    box.addEventListener('change', () => { g.mine = box.checked; refresh(); });
    mine.append(box, ' ', t('misid.gallery.mine'));
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.textContent = t('misid.gallery.remove');
    rm.setAttribute('aria-label', `${t('misid.gallery.remove')}: ${label}`);
    rm.addEventListener('click', () => {
      misid.gallery = misid.gallery.filter((x) => x !== g);
      renderGallery();
      refresh();
    });
    li.append(cap, mine, rm);
    return li;
  }));
}

// ---------- comparison ----------

/** refresh asks the worker to compare the visitor with the gallery. */
export async function refresh() {
  if (!misid.you.length) { misid.report = null; render(); return; }
  if (ratesRunning) { ratesAgain = true; return; }
  ratesRunning = true;
  try {
    do {
      ratesAgain = false;
      misid.report = await ask(ctx.worker(), {
        op: 'rates',
        threshold: misid.threshold,
        bins: 24,
        you: misid.you.map((y) => y.embedding),
        gallery: misid.gallery.map((g) => ({ id: g.id, mine: g.mine, embedding: g.embedding })),
      });
    } while (ratesAgain);
  } finally {
    ratesRunning = false;
  }
  render();
  for (const f of listeners) f(misid.report);
}

function nameOf(id) {
  const g = misid.gallery.find((x) => x.id === id);
  return g ? t('misid.gallery.face', { n: g.n, file: g.file }) : id;
}

/** render draws the last report (also on a language change). */
export function render() {
  $('misid-threshold-value').textContent = fmt(misid.threshold);
  const r = misid.report;
  const top = $('misid-top');
  // The placeholder is a paragraph, not an item of the list.
  $('misid-top-none').hidden = !!(r && r.ranked.length);
  top.hidden = !(r && r.ranked.length);
  if (!r || !r.ranked.length) {
    top.replaceChildren();
  } else {
    top.replaceChildren(...r.ranked.slice(0, TOP).map((m) => {
      const g = misid.gallery.find((x) => x.id === m.id);
      const li = document.createElement('li');
      li.className = m.match ? 'match' : 'nomatch';
      li.dataset.id = m.id;
      if (g) li.append(chipCanvas(g.chip, 'tiny', nameOf(m.id)));
      const txt = document.createElement('span');
      txt.textContent = `${nameOf(m.id)} ${m.mine ? t('misid.top.mine') : ''} — ${fmt(m.distance)} — ${t(m.match ? 'misid.top.you' : 'misid.top.notYou')}`;
      li.append(txt);
      return li;
    }));
  }
  const rates = [];
  if (r && r.fmrDefined && r.fnmrDefined) {
    rates.push(t('misid.rates', { fm: r.falseMatches, imp: r.impostor.length, fmr: pct(r.fmr), fnm: r.falseNonMatches, gen: r.genuine.length, fnmr: pct(r.fnmr) }));
  } else if (r) {
    if (!r.fmrDefined) rates.push(t('misid.rates.noImp'));
    if (!r.fnmrDefined) rates.push(t('misid.rates.noGen'));
  }
  $('misid-rates').textContent = rates.join(' ');
  const s = $('misid-stranger');
  s.classList.remove('alarm');
  if (r && r.nearestStranger) {
    const now = r.nearestStrangerDistance < r.threshold;
    s.textContent = t(now ? 'misid.stranger.now' : 'misid.stranger.safe', { d: fmt(r.nearestStrangerDistance), who: nameOf(r.nearestStranger) });
    s.classList.toggle('alarm', now);
  } else {
    s.textContent = '';
  }
  drawHist(r);
  renderMessages();
}

function drawHist(r) {
  const c = $('misid-hist');
  const w = c.clientWidth || 300, h = 160;
  if (c.width !== w) c.width = w;
  c.height = h;
  const g = c.getContext('2d');
  g.clearRect(0, 0, w, h);
  const lo = 0, hi = 1.2, pad = 18;
  const x = (v) => ((v - lo) / (hi - lo)) * (w - 2) + 1;
  g.fillStyle = '#0b0e11';
  g.fillRect(0, 0, w, h);
  if (r) {
    for (const [hist, color] of [[r.impostorHist, 'rgba(77,195,255,0.75)'], [r.genuineHist, 'rgba(255,140,66,0.75)']]) {
      const max = Math.max(1, ...hist.counts);
      const bw = (w - 2) / hist.counts.length;
      g.fillStyle = color;
      hist.counts.forEach((n, i) => {
        const bh = (n / max) * (h - pad - 6);
        g.fillRect(1 + i * bw + 1, h - pad - bh, bw - 2, bh);
      });
    }
  }
  g.strokeStyle = '#ffcc00';
  g.lineWidth = 2;
  g.beginPath(); g.moveTo(x(misid.threshold), 0); g.lineTo(x(misid.threshold), h - pad); g.stroke();
  g.fillStyle = '#aab6c0';
  g.font = '13px system-ui, sans-serif';
  for (const v of [0, 0.3, 0.6, 0.9, 1.2]) g.fillText(v.toFixed(1), Math.min(w - 24, x(v)), h - 4);
  // The legend is the figure's caption (HTML), so it never covers a bar.
}

/** initMisid wires the scene's controls. */
export function initMisid(context) {
  ctx = context;
  $('misid-enrol').addEventListener('click', enrol);
  const slider = $('misid-threshold');
  misid.threshold = Number(slider.value);
  slider.addEventListener('input', () => {
    misid.threshold = Number(slider.value);
    render();
    for (const f of thresholdListeners) f(misid.threshold);
    refresh();
  });
  $('misid-files').addEventListener('change', (e) => { addFiles(e.target.files).finally(() => { e.target.value = ''; }); });
  $('misid-folder').addEventListener('change', (e) => { addFiles(e.target.files).finally(() => { e.target.value = ''; }); });
  $('misid-inview').addEventListener('click', addInView);
  $('misid-clear').addEventListener('click', () => { misid.gallery = []; misid.messages = []; renderGallery(); refresh(); });
  const drop = $('misid-drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    droppedFiles(e.dataTransfer).then(addFiles);
  });
  drop.addEventListener('click', () => $('misid-files').click());
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('misid-files').click(); }
  });
  renderGallery();
  render();
}

// droppedFiles flattens dropped files and folders (folders through the
// entries API, where the browser has it).
async function droppedFiles(dt) {
  const entries = [...(dt.items || [])].map((it) => (it.webkitGetAsEntry ? it.webkitGetAsEntry() : null));
  if (!entries.length || entries.some((e) => !e)) return [...dt.files];
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const f = await new Promise((res, rej) => entry.file(res, rej));
      out.push(prefix ? new File([f], `${prefix}${f.name}`, { type: f.type }) : f);
      return;
    }
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      for (const e of batch) await walk(e, `${prefix}${entry.name}/`);
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}

/** relabel re-renders words after a language change. */
export function relabel() {
  if (misid.you.length) $('misid-enrol').textContent = t('misid.enrol.again');
  for (const [id, { key, vars }] of statuses) $(id).textContent = key === null ? vars : t(key, vars);
  renderYou();
  renderGallery();
  render();
}

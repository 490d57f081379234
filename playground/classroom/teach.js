// teach.js — the teacher's page (for the projector): opens a room, shows
// the join code and QR, the roster, and the class views computed from the
// distances the server sends. It never receives an embedding.
import { $, Client, publish, SCENES, startPage } from './common.js';
import { t, num, onLang, currentLang } from './i18n.js';

// Record counts from the case's fact sheet (PIPC decision, 2022-04-27).
const KOREAN_RECORDS = 57600000;
const ALL_RECORDS = 57600000 + 120000000;

const state = {
  role: 'teacher',
  lang: 'en',
  offline: false,    // no classroom server at this address
  connected: false,
  status: 'idle',
  code: '',
  display: '',
  joinURL: '',
  scene: 'lobby',
  scenes: SCENES,
  locked: false,
  students: [],      // [{id, nick, shared, away, journey: [{id, gate, t, d, notMe}]}]
  gates: [],         // gate devices: [{id, gate, on, away}]
  gateURL: '',       // where a device becomes a gate camera
  matrixIds: [],     // ids of the sharing students, in matrix order
  distances: [],     // upper triangle, row by row
  threshold: 0.6,
  bin: 0.05,         // distances arrive rounded down to a multiple of this
  cert: '',          // SHA-256 fingerprint of the server's certificate, if https
  warnings: [],      // 'loopback' and/or 'http': the join link will not work well on phones
  falseMatches: 0,
  pairs: 0,
  ended: null,
  error: null,
};
// Test hook: a read-only snapshot of the page's state.
publish('facewatchClassroom', () => state);

const client = new Client({
  storageKey: 'facewatch.classroom.teacher',
  onMessage,
  onStatus: (s) => {
    state.status = s;
    state.connected = s === 'open';
    showStatus();
    if (s === 'unreachable' && !state.code) showOffline();
  },
});

function showStatus() {
  $('status').textContent = t(`status.${state.status}`);
}

function showOffline() {
  state.offline = true;
  $('offline').hidden = false;
  $('start').hidden = true;
}

const ERRORS = ['bad_message', 'join_failed', 'rate_limited', 'server_full', 'forbidden', 'no_student', 'no_gate'];

// joinWarnings says what is wrong with a join link for students' phones:
// 'loopback' (it names this computer only) and 'http' (not a secure page:
// no camera, and the browser may refuse the page's work).
function joinWarnings(link) {
  const out = [];
  let u;
  try { u = new URL(link); } catch (_) { return out; }
  const h = u.hostname.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '::1' || h === '0.0.0.0') out.push('loopback');
  if (u.protocol === 'http:') out.push('http');
  return out;
}

function onMessage(m) {
  switch (m.type) {
    case 'welcome':
      state.code = m.code; state.display = m.display; state.joinURL = m.joinURL;
      state.ended = null; state.error = null;
      if (m.limits && m.limits.bin > 0) state.bin = m.limits.bin;
      if (m.limits && m.limits.threshold) state.threshold = snap(m.limits.threshold);
      $('threshold').step = String(state.bin);
      $('threshold').value = state.threshold.toFixed(2);
      $('code').textContent = m.display;
      $('join-url').textContent = m.joinURL;
      $('join-url').href = m.joinURL;
      state.gateURL = m.joinURL.replace('/classroom/join.html', '/classroom/gate.html');
      $('gate-url').textContent = state.gateURL;
      $('gate-url').href = state.gateURL;
      $('handout').href = `../guide/handout.html?lang=${currentLang()}#${encodeURIComponent(m.joinURL)}`;
      state.cert = typeof m.cert === 'string' ? m.cert : '';
      // Two rows of 16 pairs: easier to compare with a browser's dialog
      // than one long line broken anywhere.
      const pairs = state.cert.split(':');
      $('cert').textContent = pairs.length === 32 ? `${pairs.slice(0, 16).join(':')}\n${pairs.slice(16).join(':')}` : state.cert;
      $('cert-line').hidden = !state.cert;
      state.warnings = joinWarnings(m.joinURL);
      $('warn-loopback').hidden = !state.warnings.includes('loopback');
      $('warn-http').hidden = !state.warnings.includes('http') || state.warnings.includes('loopback');
      if (m.qr && m.qr.startsWith('data:image/png;base64,')) $('qr').src = m.qr;
      $('start').hidden = true;
      $('over').hidden = true;
      $('room').hidden = false;
      render();
      break;
    case 'class':
      state.locked = m.locked;
      state.scene = m.scene;
      state.students = m.students;
      state.gates = m.gates || [];
      state.matrixIds = m.matrix.ids;
      state.distances = m.matrix.d;
      render();
      break;
    case 'error':
      state.error = m.code;
      $('error').textContent = ERRORS.includes(m.code) ? t(`error.${m.code}`) : m.msg;
      $('error').hidden = false;
      if ($('room').hidden) $('start').hidden = false;
      break;
    case 'ended':
      state.ended = m.reason;
      state.code = ''; state.display = ''; state.joinURL = '';
      state.students = []; state.gates = []; state.matrixIds = []; state.distances = [];
      $('qr').removeAttribute('src');
      render(); // empties the roster, the matrix and the pairs on the page too
      $('room').hidden = true;
      $('start').hidden = true;
      $('over').hidden = false;
      renderOver();
      break;
  }
}

function renderOver() {
  const r = state.ended;
  $('over-reason').textContent = ['idle', 'shutdown', 'replaced'].includes(r) ? t(`teach.over.${r}`) : '';
}

// ---------- maths on the distances ----------

// snap rounds a threshold to the distances' step: a distance d arrives as
// the multiple of the step at or below it, so "d < t" is exact only for
// such t.
function snap(v) {
  const k = Math.round(v / state.bin);
  return Math.round(k * state.bin * 100) / 100;
}

// A distance the server withholds (null) is left out of every count.
const known = () => state.distances.filter((x) => typeof x === 'number');

function pairList() {
  const ids = state.matrixIds, d = state.distances, out = [];
  let k = 0;
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++, k++) if (typeof d[k] === 'number') out.push({ a: ids[i], b: ids[j], d: d[k] });
  }
  return out.sort((x, y) => x.d - y.d);
}

// Below the threshold counts as "the same person" (dlib's convention).
// The server's d stands for [d, d + step): d < t means the distance is
// under t, as t is a multiple of the step.
function countBelow(th) {
  let n = 0;
  for (const x of known()) if (x < th - 1e-9) n++;
  return n;
}

function nickOf(id) {
  const s = state.students.find((x) => x.id === id);
  return s ? s.nick : id;
}

function pct(x) { return num(Number((x * 100).toPrecision(2)), { maximumFractionDigits: 6 }); }

// rate returns the measured false match rate and how to show it; with no
// false match in n pairs, the 95% upper bound 3/n (the "rule of three").
function rate(fm, n) {
  if (n === 0) return { f: NaN, text: t('teach.rate.none') };
  if (fm === 0) return { f: 3 / n, text: t('teach.rate.zero', { p: pct(3 / n), n: num(n) }) };
  return { f: fm / n, text: t('teach.rate.some', { fm: num(fm), n: num(n), p: pct(fm / n) }) };
}

function setThreshold(v) {
  state.threshold = snap(v);
  $('threshold').value = state.threshold.toFixed(2);
  render();
}

// ---------- drawing ----------

function render() {
  const th = state.threshold;
  const thText = num(th, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const ids = state.matrixIds;
  const n = ids.length;
  // Pairs with a distance (never -0: with nobody sharing there are none).
  state.pairs = known().length;
  state.falseMatches = countBelow(th);
  document.body.dataset.scene = state.scene;
  for (const el of document.querySelectorAll('.t-value')) el.textContent = thText;

  $('lock').setAttribute('aria-pressed', String(state.locked));
  $('lock').textContent = t(state.locked ? 'teach.unlock' : 'teach.lock');
  for (const b of $('scenes').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.scene === state.scene));
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${state.scene}`;

  const sharing = state.students.filter((s) => s.shared).length;
  $('lobby-text').textContent = t('teach.lobby.text', { n: num(state.students.length) });
  $('count-sharing').textContent = `${num(sharing)} / ${num(state.students.length)}`;
  $('roster-title').textContent = t('teach.roster.h', { n: num(state.students.length) });
  renderRoster();
  // The lobby shows who has arrived, large, for the projector.
  $('lobby-names').replaceChildren(...state.students.map((s) => {
    const li = document.createElement('li');
    li.textContent = s.nick;
    if (s.shared) li.className = 'shared';
    return li;
  }));

  $('matrix-text').textContent = t('teach.matrix.text', { t: thText });
  $('pairs-text').textContent = t('teach.pairs.text', { t: thText });
  const r = rate(state.falseMatches, state.pairs);
  $('false-matches').textContent = num(state.falseMatches);
  $('threshold-text').textContent = t('teach.threshold.result', { fm: num(state.falseMatches), pairs: num(state.pairs), rate: r.text });
  $('scale-n').textContent = num(n);
  $('scale-class-text').textContent = t('teach.scale.classText', { pairs: num(state.pairs), t: thText, fm: num(state.falseMatches) });
  $('scale-f').textContent = t('teach.scale.f', { rate: r.text });
  const scaled = (records) => {
    if (Number.isNaN(r.f)) return '—';
    const v = num(Math.round(records * r.f));
    return state.falseMatches === 0 ? t('teach.scale.upTo', { n: v }) : v;
  };
  $('scale-kr').textContent = scaled(KOREAN_RECORDS);
  $('scale-all').textContent = scaled(ALL_RECORDS);

  const tb = $('pairs');
  tb.replaceChildren();
  const list = pairList();
  $('pairs-none').hidden = list.length > 0;
  for (const p of list.slice(0, 8)) {
    const tr = document.createElement('tr');
    const match = p.d < th - 1e-9;
    const two = (x) => num(x, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const cells = [[nickOf(p.a), ''], [nickOf(p.b), ''], [`${two(p.d)}–${two(p.d + state.bin)}`, 'num'],
      [t(match ? 'teach.pairs.yes' : 'teach.pairs.no'), match ? 'match' : '']];
    for (const [text, cls] of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    tb.append(tr);
  }
  drawMatrix();
  drawHistogram();
  renderGates();
}

// ---------- the gates ----------

const GATES = ['A', 'B', 'C'];
const COLOURS = ['#ffcc00', '#4cc9f0', '#f72585', '#80ed99', '#ff9f1c', '#b388ff', '#90e0ef', '#ffadad'];

function clock(ms) {
  return new Date(ms).toLocaleTimeString(currentLang() === 'ko' ? 'ko-KR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
}

function two(x) { return num(x, { minimumFractionDigits: 2, maximumFractionDigits: 2 }); }

// journeyText is one student's path in words: "Mina: A 10:02 → B 10:04".
function journeyText(s) {
  return `${s.nick}: ${s.journey.map((x) => `${x.gate} ${clock(x.t)}`).join(' → ')}`;
}

function renderGates() {
  const travellers = state.students.filter((s) => s.journey && s.journey.length);
  $('journeys-none').hidden = travellers.length > 0;
  const ul = $('journeys');
  ul.replaceChildren(...travellers.map((s, i) => {
    const li = document.createElement('li');
    li.dataset.id = s.id;
    const who = document.createElement('strong');
    who.className = 'who';
    who.textContent = `${s.nick}: `;
    li.append(who);
    s.journey.forEach((x, k) => {
      if (k > 0) li.append(document.createTextNode(' → '));
      const sp = document.createElement('span');
      sp.className = x.notMe ? 'sighting notme' : 'sighting';
      sp.dataset.sighting = x.id;
      sp.textContent = `${x.gate} ${clock(x.t)}`;
      const d = document.createElement('small');
      d.textContent = ` (${two(x.d)}${x.notMe ? ` · ${t('teach.gates.notMe')}` : ''})`;
      sp.append(d);
      li.append(sp);
    });
    return li;
  }));
  drawGateMap(travellers);

  const dev = $('gate-devices');
  $('gate-devices-none').hidden = state.gates.length > 0;
  dev.replaceChildren(...state.gates.map((g, i) => {
    const li = document.createElement('li');
    li.dataset.id = g.id;
    const label = document.createElement('label');
    const name = t('teach.gates.device', { n: num(i + 1) });
    label.textContent = name;
    const sel = document.createElement('select');
    sel.id = `gate-select-${g.id}`;
    label.htmlFor = sel.id;
    const none = document.createElement('option');
    none.value = '';
    none.disabled = true;
    none.textContent = t('teach.gates.choose');
    sel.append(none);
    for (const x of GATES) {
      const o = document.createElement('option');
      o.value = x;
      o.textContent = t(`gate.name.${x}`);
      sel.append(o);
    }
    sel.value = g.gate || '';
    sel.addEventListener('change', () => client.send({ type: 'assign', id: g.id, gate: sel.value }));
    const st = document.createElement('span');
    st.className = `note gate-status ${g.on && !g.away ? 'on' : ''}`;
    st.textContent = t(g.away ? 'teach.gates.away' : g.on ? 'teach.gates.on' : 'teach.gates.off');
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.className = 'remove';
    rm.textContent = '×';
    rm.title = t('teach.roster.remove');
    rm.setAttribute('aria-label', t('teach.roster.removeAria', { nick: name }));
    rm.addEventListener('click', () => client.send({ type: 'remove', id: g.id }));
    li.append(label, sel, st, rm);
    return li;
  }));
}

const SVG = 'http://www.w3.org/2000/svg';
function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// drawGateMap draws the route A → B → C with each traveller's path over
// it: a coloured line through the gates where they were seen, a dot per
// sighting, a red cross where they said "that wasn't me".
function drawGateMap(travellers) {
  const svg = $('gate-map');
  const X = { A: 190, B: 360, C: 530 }, Y = 62;
  const h = 136 + Math.max(1, travellers.length) * 28;
  svg.setAttribute('viewBox', `0 0 620 ${h}`);
  const title = travellers.length ? travellers.map(journeyText).join('; ') : t('teach.gates.none');
  const kids = [el('title', { id: 'gate-map-title' }, `${t('teach.gates.mapLabel')}: ${title}`)];
  kids.push(el('line', { x1: X.A, y1: Y, x2: X.C, y2: Y, class: 'route' }));
  for (const g of GATES) {
    kids.push(el('circle', { cx: X[g], cy: Y, r: 30, class: 'gate' }));
    kids.push(el('text', { x: X[g], y: Y + 10, class: 'gate-letter', 'text-anchor': 'middle' }, g));
    kids.push(el('text', { x: X[g], y: Y + 52, class: 'gate-label', 'text-anchor': 'middle' }, t(`gate.short.${g}`)));
  }
  travellers.forEach((s, i) => {
    const colour = COLOURS[state.students.indexOf(s) % COLOURS.length];
    const y = 128 + i * 28;
    const off = (i % 5 - 2) * 5;
    const pts = s.journey.map((x) => `${X[x.gate]},${Y + off}`).join(' ');
    if (s.journey.length > 1) kids.push(el('polyline', { points: pts, class: 'path', stroke: colour }));
    for (const x of s.journey) {
      if (x.notMe) {
        const cx = X[x.gate], cy = Y + off;
        kids.push(el('path', { d: `M${cx - 7},${cy - 7} L${cx + 7},${cy + 7} M${cx + 7},${cy - 7} L${cx - 7},${cy + 7}`, class: 'notme' }));
      } else kids.push(el('circle', { cx: X[x.gate], cy: Y + off, r: 6, fill: colour, class: 'seen' }));
    }
    kids.push(el('text', { x: 12, y: y + 5, class: 'who', fill: colour }, s.nick.slice(0, 10)));
    s.journey.forEach((x, k) => {
      kids.push(el('text', { x: X[x.gate], y: y + 5, 'text-anchor': 'middle', class: x.notMe ? 'when notme' : 'when' },
        `${clock(x.t)} · ${two(x.d)}${x.notMe ? ' ✕' : ''}`));
    });
  });
  svg.replaceChildren(...kids);
}

// The roster is a wrap of name tags (a class of 30 fits beside the view):
// a green outline for those who share, × to remove someone.
function renderRoster() {
  const ul = $('roster');
  ul.replaceChildren();
  for (const s of state.students) {
    const li = document.createElement('li');
    li.dataset.id = s.id;
    if (s.shared) li.classList.add('shared');
    if (s.away) { li.classList.add('away'); li.title = t('teach.roster.away'); }
    const name = document.createElement('span');
    name.className = 'nick';
    name.textContent = s.nick;
    li.append(name);
    if (s.shared) {
      const b = document.createElement('span');
      b.className = 'sr-only';
      b.textContent = ` (${t('teach.roster.shares')})`;
      li.append(b);
    }
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.className = 'remove';
    rm.textContent = '×';
    rm.title = t('teach.roster.remove');
    rm.setAttribute('aria-label', t('teach.roster.removeAria', { nick: s.nick }));
    rm.addEventListener('click', () => client.send({ type: 'remove', id: s.id }));
    li.append(rm);
    ul.append(li);
  }
}

function drawMatrix() {
  const cv = $('matrix');
  if (cv.closest('.view').hidden) return;
  const dpr = window.devicePixelRatio || 1;
  const size = Math.round(cv.clientWidth * dpr) || 720;
  if (cv.width !== size) { cv.width = size; cv.height = size; }
  const g = cv.getContext('2d');
  g.clearRect(0, 0, size, size);
  const ids = state.matrixIds, n = ids.length;
  if (n < 2) {
    // The labels below leave textAlign at 'right': reset it, or the message
    // ends at x and is clipped to its last letters.
    g.textAlign = 'left';
    g.textBaseline = 'alphabetic';
    g.fillStyle = '#aab6c0';
    g.font = `${16 * dpr}px system-ui, sans-serif`;
    // Wrapped to the canvas, which is narrow on a phone.
    const maxW = size - 40 * dpr;
    let line = '', y = 40 * dpr;
    for (const word of t('teach.wait2').split(/\s+/)) {
      const next = line ? `${line} ${word}` : word;
      if (line && g.measureText(next).width > maxW) { g.fillText(line, 20 * dpr, y); line = word; y += 22 * dpr; } else line = next;
    }
    if (line) g.fillText(line, 20 * dpr, y);
    return;
  }
  const label = Math.min(140 * dpr, size * 0.22);
  const cell = (size - label) / n;
  const dist = (i, j) => {
    if (i === j) return 0;
    const [a, b] = i < j ? [i, j] : [j, i];
    return state.distances[a * n - (a * (a + 1)) / 2 + (b - a - 1)];
  };
  const showNumbers = cell >= 34 * dpr;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.font = `${Math.min(15 * dpr, cell * 0.3)}px system-ui, sans-serif`;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = label + j * cell, y = label + i * cell;
      if (i === j) { g.fillStyle = '#2a323a'; g.fillRect(x, y, cell - 1, cell - 1); continue; }
      const d = dist(i, j);
      if (typeof d !== 'number') {
        // Withheld by the server: this student's numbers have been
        // compared with as many others as a class allows.
        g.fillStyle = '#20262c';
        g.fillRect(x, y, cell - 1, cell - 1);
        if (showNumbers) { g.fillStyle = '#6a7884'; g.fillText('—', x + cell / 2, y + cell / 2); }
        continue;
      }
      // 0.4 → bright, 0.95 → dark: the range where real faces fall.
      const v = Math.max(0, Math.min(1, (0.95 - d) / 0.55));
      g.fillStyle = `rgb(${Math.round(40 + 215 * v)}, ${Math.round(40 + 164 * v)}, ${Math.round(40 * (1 - v))})`;
      g.fillRect(x, y, cell - 1, cell - 1);
      if (d < state.threshold - 1e-9) {
        g.strokeStyle = '#ff6b6b';
        g.lineWidth = Math.max(2, cell / 12);
        g.strokeRect(x + g.lineWidth / 2, y + g.lineWidth / 2, cell - 1 - g.lineWidth, cell - 1 - g.lineWidth);
      }
      if (showNumbers) {
        g.fillStyle = v > 0.55 ? '#111' : '#eef2f5';
        g.fillText(num(d, { minimumFractionDigits: 2, maximumFractionDigits: 2 }), x + cell / 2, y + cell / 2);
      }
    }
  }
  g.fillStyle = '#eef2f5';
  g.font = `${Math.max(10 * dpr, Math.min(16 * dpr, cell * 0.5))}px system-ui, sans-serif`;
  for (let i = 0; i < n; i++) {
    const name = nickOf(ids[i]).slice(0, 14);
    g.textAlign = 'right';
    g.fillText(name, label - 6 * dpr, label + (i + 0.5) * cell);
    g.save();
    g.translate(label + (i + 0.5) * cell, label - 6 * dpr);
    g.rotate(-Math.PI / 2);
    g.textAlign = 'left';
    g.fillText(name, 0, 0);
    g.restore();
  }
}

// drawHistogram shows every pair's distance as a bar chart over the
// slider's range in steps of 0.02, the pairs under the threshold in red,
// and the threshold itself as a line above the slider's thumb.
function drawHistogram() {
  const cv = $('hist');
  if (cv.closest('.view').hidden) return;
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(cv.clientWidth * dpr) || 720, h = Math.round(cv.clientHeight * dpr) || 180;
  if (cv.width !== w || cv.height !== h) { cv.width = w; cv.height = h; }
  const g = cv.getContext('2d');
  g.clearRect(0, 0, w, h);
  // The slider's range in the server's steps; farther pairs count in the last bar.
  const lo = 0.2, hi = 1.0, step = state.bin, bins = Math.round((hi - lo) / step);
  const counts = new Array(bins).fill(0);
  for (const d of known()) counts[Math.max(0, Math.min(bins - 1, Math.floor((d - lo) / step + 1e-9)))]++;
  const top = Math.max(1, ...counts);
  const axis = 22 * dpr, pad = 6 * dpr;
  const bw = (w - 2 * pad) / bins;
  const x = (d) => pad + ((d - lo) / (hi - lo)) * (w - 2 * pad);
  for (let i = 0; i < bins; i++) {
    if (!counts[i]) continue;
    const bh = (counts[i] / top) * (h - axis - pad);
    g.fillStyle = lo + (i + 0.5) * step < state.threshold ? '#ff6b6b' : '#6a7884';
    g.fillRect(pad + i * bw + 1, h - axis - bh, Math.max(1, bw - 2), bh);
  }
  g.fillStyle = '#aab6c0';
  g.font = `${12 * dpr}px system-ui, sans-serif`;
  g.textAlign = 'center';
  g.textBaseline = 'bottom';
  for (let d = lo; d <= hi + 1e-9; d += 0.2) g.fillText(num(d, { minimumFractionDigits: 1, maximumFractionDigits: 1 }), Math.min(w - 12 * dpr, Math.max(12 * dpr, x(d))), h);
  g.strokeStyle = '#ffcc00';
  g.lineWidth = 2 * dpr;
  g.beginPath();
  g.moveTo(x(state.threshold), 0);
  g.lineTo(x(state.threshold), h - axis + 4 * dpr);
  g.stroke();
}

function renderScenes() {
  for (const b of $('scenes').querySelectorAll('button')) b.textContent = `${SCENES.indexOf(b.dataset.scene) + 1}. ${t(`scene.${b.dataset.scene}`)}`;
}

// ---------- controls ----------

function setup() {
  for (const sc of state.scenes) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = `scene-${sc}`;
    b.dataset.scene = sc;
    b.setAttribute('aria-pressed', 'false');
    b.addEventListener('click', () => client.send({ type: 'scene', scene: sc }));
    $('scenes').append(b);
  }
  const create = () => {
    $('error').hidden = true;
    client.ended = false;
    client.open({ type: 'create' });
  };
  $('create').addEventListener('click', create);
  $('again').addEventListener('click', () => { $('over').hidden = true; $('start').hidden = false; create(); });
  $('lock').addEventListener('click', () => client.send({ type: 'lock', locked: !state.locked }));
  const confirming = (on) => {
    $('end').hidden = on; $('end-confirm').hidden = !on; $('end-cancel').hidden = !on;
    if (on) $('end-confirm').focus();
  };
  $('end').addEventListener('click', () => confirming(true));
  $('end-cancel').addEventListener('click', () => confirming(false));
  $('end-confirm').addEventListener('click', () => { confirming(false); client.send({ type: 'end' }); });
  $('threshold').addEventListener('input', (e) => setThreshold(Number(e.target.value)));
  window.addEventListener('resize', () => { drawMatrix(); drawHistogram(); });
  onLang((l) => {
    state.lang = l;
    renderScenes();
    showStatus();
    render();
    renderOver();
  });
}

startPage({ client, state, setup, offline: showOffline });

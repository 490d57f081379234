// teach.js — the teacher's page (for the projector): opens a room, shows
// the join code and QR, the roster, and the class views computed from the
// distances the server sends. It never receives an embedding.
import { $, Client, publish, SCENE_TITLES } from './common.js';

// Record counts from the case's fact sheet (PIPC decision, 2022-04-27).
const KOREAN_RECORDS = 57600000;
const ALL_RECORDS = 57600000 + 120000000;

const state = {
  role: 'teacher',
  connected: false,
  status: 'idle',
  code: '',
  display: '',
  joinURL: '',
  scene: 'lobby',
  scenes: Object.keys(SCENE_TITLES),
  locked: false,
  students: [],      // [{id, nick, shared, away}]
  matrixIds: [],     // ids of the sharing students, in matrix order
  distances: [],     // upper triangle, row by row
  threshold: 0.6,
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
  onStatus: (s) => { state.status = s; state.connected = s === 'open'; $('status').textContent = statusText(s); },
});

function statusText(s) {
  return { connecting: 'connecting…', open: 'connected', retrying: 'connection lost, reconnecting…', closed: 'not connected' }[s] || s;
}

function onMessage(m) {
  switch (m.type) {
    case 'welcome':
      state.code = m.code; state.display = m.display; state.joinURL = m.joinURL;
      if (m.limits && m.limits.threshold) setThreshold(m.limits.threshold);
      $('code').textContent = m.display;
      $('join-url').textContent = m.joinURL;
      $('join-url').href = m.joinURL;
      if (m.qr && m.qr.startsWith('data:image/png;base64,')) $('qr').src = m.qr;
      $('start').hidden = true;
      $('room').hidden = false;
      break;
    case 'class':
      state.locked = m.locked;
      state.scene = m.scene;
      state.students = m.students;
      state.matrixIds = m.matrix.ids;
      state.distances = m.matrix.d;
      render();
      break;
    case 'error':
      state.error = m.code;
      $('error').textContent = m.msg;
      $('error').hidden = false;
      if ($('room').hidden) $('start').hidden = false;
      break;
    case 'ended':
      state.ended = m.reason;
      state.students = []; state.matrixIds = []; state.distances = [];
      $('room').hidden = true;
      $('start').hidden = true;
      $('over').hidden = false;
      $('over-reason').textContent = { ended: '', idle: 'The room was closed after a time without activity.', shutdown: 'The server stopped.', replaced: 'This class was opened in another window.' }[m.reason] || '';
      break;
  }
}

// ---------- maths on the distances ----------

function pairList() {
  const ids = state.matrixIds, d = state.distances, out = [];
  let k = 0;
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) out.push({ a: ids[i], b: ids[j], d: d[k++] });
  }
  return out.sort((x, y) => x.d - y.d);
}

// Below the threshold counts as "the same person" (dlib's convention).
function countBelow(t) {
  let n = 0;
  for (const x of state.distances) if (x < t) n++;
  return n;
}

function nickOf(id) {
  const s = state.students.find((x) => x.id === id);
  return s ? s.nick : id;
}

function fmt(n) { return Math.round(n).toLocaleString('en-US'); }

// rate returns the measured false match rate and how to show it; with no
// false match in n pairs, the 95% upper bound 3/n (the "rule of three").
function rate(fm, n) {
  if (n === 0) return { f: NaN, text: 'not measurable yet' };
  if (fm === 0) return { f: 3 / n, text: `below about ${(3 / n * 100).toPrecision(2)}% (none seen in ${n} pairs)` };
  return { f: fm / n, text: `${fm} in ${n} = ${(fm / n * 100).toPrecision(2)}%` };
}

function setThreshold(t) {
  state.threshold = Math.round(t * 100) / 100;
  $('threshold').value = state.threshold.toFixed(2);
  render();
}

// ---------- drawing ----------

function render() {
  const t = state.threshold;
  const ids = state.matrixIds;
  const n = ids.length;
  state.pairs = n * (n - 1) / 2;
  state.falseMatches = countBelow(t);
  for (const el of document.querySelectorAll('.t-value')) el.textContent = t.toFixed(2);

  $('lock').setAttribute('aria-pressed', String(state.locked));
  $('lock').textContent = state.locked ? 'Room locked — unlock' : 'Lock the room';
  for (const b of $('scenes').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.scene === state.scene));
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== `view-${state.scene}`;
  if (state.scene === 'lobby') $('view-lobby').hidden = false;

  const sharing = state.students.filter((s) => s.shared).length;
  $('count-lobby').textContent = state.students.length;
  $('count-roster').textContent = state.students.length;
  $('count-students').textContent = state.students.length;
  $('count-sharing').textContent = sharing;
  renderRoster();

  $('false-matches').textContent = state.falseMatches;
  $('pair-count').textContent = state.pairs;
  const r = rate(state.falseMatches, state.pairs);
  $('fmr').textContent = r.text;
  $('scale-n').textContent = n;
  $('scale-pairs').textContent = state.pairs;
  $('scale-fm').textContent = state.falseMatches;
  $('scale-f').textContent = r.text;
  $('scale-kr').textContent = Number.isNaN(r.f) ? '—' : (state.falseMatches === 0 ? 'up to ' : '') + fmt(KOREAN_RECORDS * r.f);
  $('scale-all').textContent = Number.isNaN(r.f) ? '—' : (state.falseMatches === 0 ? 'up to ' : '') + fmt(ALL_RECORDS * r.f);

  const tb = $('pairs');
  tb.replaceChildren();
  for (const p of pairList().slice(0, 8)) {
    const tr = document.createElement('tr');
    const match = p.d < t;
    for (const [text, cls] of [[nickOf(p.a), ''], [nickOf(p.b), ''], [p.d.toFixed(3), 'num'], [match ? 'yes' : 'no', match ? 'match' : '']]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    tb.append(tr);
  }
  drawMatrix();
}

function renderRoster() {
  const ul = $('roster');
  ul.replaceChildren();
  for (const s of state.students) {
    const li = document.createElement('li');
    li.dataset.id = s.id;
    const name = document.createElement('span');
    name.textContent = s.nick;
    if (s.away) name.className = 'away';
    const right = document.createElement('span');
    right.className = 'row';
    if (s.shared) {
      const b = document.createElement('span');
      b.className = 'badge shared';
      b.textContent = 'shares';
      right.append(b);
    }
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.className = 'danger remove';
    rm.textContent = 'Remove';
    rm.setAttribute('aria-label', `Remove ${s.nick}`);
    rm.addEventListener('click', () => client.send({ type: 'remove', id: s.id }));
    right.append(rm);
    li.append(name, right);
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
    g.fillStyle = '#aab6c0';
    g.font = `${16 * dpr}px system-ui, sans-serif`;
    g.fillText('Waiting for at least two people to share.', 20 * dpr, 40 * dpr);
    return;
  }
  const label = Math.min(140 * dpr, size * 0.22);
  const cell = (size - label) / n;
  const dist = (i, j) => {
    if (i === j) return 0;
    const [a, b] = i < j ? [i, j] : [j, i];
    return state.distances[a * n - (a * (a + 1)) / 2 + (b - a - 1)];
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = label + j * cell, y = label + i * cell;
      if (i === j) { g.fillStyle = '#2a323a'; g.fillRect(x, y, cell - 1, cell - 1); continue; }
      const d = dist(i, j);
      // 0.2 → bright, 1.0 → dark.
      const v = Math.max(0, Math.min(1, (1.0 - d) / 0.8));
      g.fillStyle = `rgb(${Math.round(40 + 215 * v)}, ${Math.round(40 + 164 * v)}, ${Math.round(40 * (1 - v))})`;
      g.fillRect(x, y, cell - 1, cell - 1);
      if (d < state.threshold) {
        g.strokeStyle = '#ff6b6b';
        g.lineWidth = Math.max(2, cell / 12);
        g.strokeRect(x + g.lineWidth / 2, y + g.lineWidth / 2, cell - 1 - g.lineWidth, cell - 1 - g.lineWidth);
      }
    }
  }
  g.fillStyle = '#eef2f5';
  g.font = `${Math.max(10 * dpr, Math.min(16 * dpr, cell * 0.5))}px system-ui, sans-serif`;
  g.textBaseline = 'middle';
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

// ---------- controls ----------

function setup() {
  for (const sc of state.scenes) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = `scene-${sc}`;
    b.dataset.scene = sc;
    b.textContent = SCENE_TITLES[sc];
    b.setAttribute('aria-pressed', 'false');
    b.addEventListener('click', () => client.send({ type: 'scene', scene: sc }));
    $('scenes').append(b);
  }
  $('create').addEventListener('click', () => {
    $('error').hidden = true;
    client.ended = false;
    client.open({ type: 'create' });
  });
  $('lock').addEventListener('click', () => client.send({ type: 'lock', locked: !state.locked }));
  $('end').addEventListener('click', () => { $('end').hidden = true; $('end-confirm').hidden = false; $('end-confirm').focus(); });
  $('end-confirm').addEventListener('click', () => client.send({ type: 'end' }));
  $('threshold').addEventListener('input', (e) => setThreshold(Number(e.target.value)));
  window.addEventListener('resize', drawMatrix);
  // A reload within the resume window goes back to the same room.
  if (client.token) client.open({ type: 'resume', token: client.token });
}

setup();

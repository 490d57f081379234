// gate.js — a gate camera's page. The device joins the room with its code;
// the teacher makes it Gate A, B or C; once its operator switches it on it
// runs facewatch's pipeline on the device: the frame worker (js/worker.js
// with worker.wasm) finds and tracks faces and hands out the chip of a
// track that wants its numbers (the engine's re-identification path,
// Options.Reid and Result.ChipKey); a second worker, the recogniser,
// computes the chip's 128 numbers, which go back to the frame worker
// (observe) and, at a bounded rate, to the server. Never a frame, never a
// chip. The gate receives nothing back about whom it saw.
import { $, deviceClient, openFrontCamera, overKey, publish, startPage } from './common.js';
import { t, num, onLang } from './i18n.js';
import { decode, CONFIRMED } from '../js/wire.js';
import { fetchBytes } from '../js/net.js';
import { call, workerBuild } from '../js/workerlib.js';
import { MODELS } from '../js/manifest.js';
import { cameraBlocker, cameraFailure, hasVideoInput } from '../js/secure.js';

// The models each worker needs, from the site's list (paths from the
// site's root, one folder up): [worker's name, address].
const DETECT_MODELS = [MODELS.faceFinder, MODELS.pupils].map((f) => [f.name, `../${f.path}`]);
const EMBED_MODELS = MODELS.embed.map((f) => [f.name, `../${f.path}`]);
// The device's own bounds, below the server's (Config.GateRate, GateBurst):
// one face's numbers at most every SAME_FACE_MS (a face whose numbers are
// within MATCH of numbers sent that recently is not sent again), and at
// most BURST faces at once, then one every REFILL_MS.
const SAME_FACE_MS = 5000;
const MATCH = 0.6;
const BURST = 3;
const REFILL_MS = 3000;

const state = {
  role: 'gate',
  lang: 'en',
  offline: false,
  connected: false,
  status: 'idle',
  code: '',
  id: '',
  gate: '',        // A, B or C once the teacher chooses; '' before
  on: false,       // the server knows this gate watches
  sent: 0,         // faces the server took from this gate (its own count)
  camera: 'off',   // off | checking | loading | on | failed
  cameraError: '', // denied | nocamera | camera | other
  blocked: '',     // '' or why this page cannot have the camera: insecure | missing
  frames: 0,       // frames the frame worker answered
  faces: 0,        // confirmed tracks in the last frame
  chips: 0,        // chips handed out by the frame worker
  embedded: 0,     // chips the recogniser turned into numbers
  offered: 0,      // numbers handed to the server
  skipped: 0,      // numbers not sent: the same face was sent moments ago, or over the device's rate
  error: null,
  ended: null,
};
// Test hook: a read-only snapshot of the page's state.
publish('facewatchGate', () => state);

const { client, showStatus, showOffline, showJoined } = deviceClient(state, 'facewatch.classroom.gate', onMessage);

const ERRORS = ['bad_message', 'join_failed', 'rate_limited', 'room_full', 'server_full', 'forbidden', 'bad_embedding', 'not_watching', 'gate_limit'];

function onMessage(m) {
  switch (m.type) {
    case 'welcome':
      Object.assign(state, { code: m.display, id: m.id, error: null, offline: false });
      showJoined();
      render();
      break;
    case 'gatestate':
      Object.assign(state, { gate: m.gate, on: m.on, sent: m.sent });
      // Back after a reload: the server still thinks this gate watches, but
      // its camera is off until the operator switches it on again.
      if (m.on && !running && state.camera !== 'loading' && state.camera !== 'checking') client.send({ type: 'watch', on: false });
      render();
      break;
    case 'error':
      state.error = m.code;
      if ($('in-class').hidden) {
        $('error').textContent = ERRORS.includes(m.code) ? t(`error.${m.code}`) : m.msg;
        $('error').hidden = false;
      } else if (m.code === 'gate_limit' || m.code === 'not_watching') {
        $('camera-note').textContent = t(`error.${m.code}`);
      }
      break;
    case 'ended':
      finish(m.reason);
      break;
  }
}

function finish(reason) {
  state.ended = reason;
  stopWatching(false);
  $('in-class').hidden = true;
  $('join').hidden = true;
  $('over').hidden = false;
  renderOver();
}

function renderOver() {
  if (state.ended === null) return;
  $('over-title').textContent = t(overKey('gate', state.ended));
}

function render() {
  $('where').textContent = t('gate.where', { code: state.code, id: state.id });
  $('gate-name').textContent = state.gate ? t(`gate.name.${state.gate}`) : t('gate.unassigned');
  document.body.dataset.gate = state.gate;
  $('gate-wait').hidden = !!state.gate;
  const watching = state.camera === 'on' || state.camera === 'loading' || state.camera === 'checking';
  $('watch').disabled = !state.gate || state.camera === 'checking' || state.camera === 'loading';
  $('watch').setAttribute('aria-pressed', String(watching));
  $('watch').textContent = t(watching ? 'gate.watch.off' : 'gate.watch.on');
  $('faces').textContent = num(state.faces);
  $('sent').textContent = num(state.sent);
  $('why-no-camera').hidden = state.blocked === '';
  if (state.blocked) $('why-no-camera').textContent = t(`gate.blocked.${state.blocked}`);
  let note = '';
  const c = state.camera;
  if (!state.gate) note = '';
  else if (c === 'checking') note = t('join.camera.checking');
  else if (c === 'loading') note = t('join.camera.loading');
  else if (c === 'on') note = t(state.on ? 'gate.watching' : 'gate.starting');
  else if (c === 'failed') note = t({ denied: 'gate.camera.denied', nocamera: 'gate.camera.noCamera' }[state.cameraError] || 'gate.failed');
  else note = t('gate.off');
  $('camera-note').textContent = note;
}

// ---------- the two workers ----------

let frameWorker = null;
let recogniser = null;
let workersReady = null;

// startWorkers compiles worker.wasm once and starts it in both workers:
// the frame worker with the face finder and the pupil locator, the
// recogniser with the recognition network too (about 7 MB, cached by the
// browser). Downloads only: nothing is sent.
function startWorkers() {
  if (workersReady) return workersReady;
  workersReady = (async () => {
    const all = [...DETECT_MODELS, ...EMBED_MODELS];
    const [wasm, ...bufs] = await Promise.all([fetchBytes(`../${workerBuild().wasmURL}`), ...all.map(([, u]) => fetchBytes(u))]);
    const mod = await WebAssembly.compile(wasm);
    const fw = new Worker('../js/worker.js');
    const rw = new Worker('../js/worker.js');
    await Promise.all([call(fw, 'start', { wasm: mod }), call(rw, 'start', { wasm: mod })]);
    for (let i = 0; i < DETECT_MODELS.length; i++) await call(fw, 'model', { name: all[i][0], bytes: bufs[i].slice(0) });
    for (let i = 0; i < all.length; i++) await call(rw, 'model', { name: all[i][0], bytes: bufs[i] }, [bufs[i]]);
    rw.addEventListener('message', onEmbedded);
    frameWorker = fw;
    recogniser = rw;
  })();
  workersReady.catch(() => {
    workersReady = null;
    if (frameWorker) frameWorker.terminate();
    if (recogniser) recogniser.terminate();
    frameWorker = recogniser = null;
  });
  return workersReady;
}

// ---------- watching ----------

let stream = null;
let running = false;
let frameId = 0;
let embedBusy = false;
let recent = [];            // [{e: Float32Array, at}] numbers sent in the last SAME_FACE_MS, on this device only
let tokens = BURST, refilledAt = 0;

function frameResult(video, id) {
  return new Promise((resolve, reject) => {
    const onMsg = (ev) => {
      const m = ev.data;
      if (m.id !== id) return;
      frameWorker.removeEventListener('message', onMsg);
      if (m.type === 'error') reject(new Error(m.message)); else resolve(m);
    };
    frameWorker.addEventListener('message', onMsg);
    // chip: the worker reads the frame in colour, so the numbers match those
    // a student computes from a colour picture.
    const opts = { pupils: true, chip: true, track: true, reid: true };
    const vf = new VideoFrame(video, { timestamp: Math.round(video.currentTime * 1e6) });
    frameWorker.postMessage({ type: 'frame', id, frame: vf, opts }, [vf]);
  });
}

async function loop() {
  const v = $('video');
  while (running) {
    if (v.readyState < 2) { await new Promise((r) => setTimeout(r, 50)); continue; }
    let m;
    try {
      m = await frameResult(v, ++frameId);
    } catch (e) {
      console.warn('gate: a frame failed:', e && e.message);
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    if (!running) break;
    const r = decode(new Float32Array(m.buf));
    state.frames++;
    const faces = r.tracks.filter((tr) => tr.state === CONFIRMED).length;
    if (faces !== state.faces) { state.faces = faces; $('faces').textContent = num(faces); }
    if (r.chipKey && m.chip) handChip(r.chipKey, m.chip);
    // About the camera's rate, without holding the page.
    await new Promise((res) => setTimeout(res, 0));
  }
}

let pendingKey = 0;

// handChip gives a track's chip to the recogniser, one at a time; a chip
// that comes while it is busy is dropped (the tracker asks again).
function handChip(key, chip) {
  state.chips++;
  if (embedBusy || !recogniser) return;
  embedBusy = true;
  pendingKey = key;
  recogniser.postMessage({ type: 'embedChip', id: key, chip }, [chip]);
}

function onEmbedded(ev) {
  const m = ev.data;
  if (m.type !== 'embedded') return;
  embedBusy = false;
  if (m.error || m.id !== pendingKey || !running) return;
  const e = new Float32Array(m.embedding);
  state.embedded++;
  // The tracker remembers the face by these numbers (re-identification).
  const back = e.slice();
  frameWorker.postMessage({ type: 'observe', key: m.id, embedding: back.buffer }, [back.buffer]);
  offer(e);
}

function dist(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; s += d * d; }
  return Math.sqrt(s);
}

// offer sends a face's numbers to the server if this gate watches, the
// same face was not sent moments ago, and the device's own rate allows.
function offer(e) {
  const now = performance.now();
  for (const x of recent) if (now - x.at >= SAME_FACE_MS) x.e.fill(0);
  recent = recent.filter((x) => now - x.at < SAME_FACE_MS);
  tokens = Math.min(BURST, tokens + (now - refilledAt) / REFILL_MS);
  refilledAt = now;
  if (!state.on || !state.gate || recent.some((x) => dist(x.e, e) < MATCH) || tokens < 1) {
    state.skipped++;
    e.fill(0);
    return;
  }
  tokens -= 1;
  const sent = client.send({ type: 'seen', embedding: Array.from(e, (x) => Math.round(x * 1e6) / 1e6) });
  if (sent) { state.offered++; recent.push({ e, at: now }); } else e.fill(0);
}

async function startWatching() {
  state.blocked = cameraBlocker();
  state.cameraError = '';
  if (state.blocked) { state.camera = 'off'; render(); return; }
  state.camera = 'checking';
  render();
  try {
    if (!(await hasVideoInput())) { state.cameraError = 'nocamera'; throw new Error('no camera'); }
    if (typeof VideoFrame !== 'function') { state.cameraError = 'camera'; throw new Error('VideoFrame missing'); }
    try {
      stream = await openFrontCamera();
    } catch (e) {
      state.cameraError = cameraFailure(e);
      throw e;
    }
    state.camera = 'loading';
    render();
    await startWorkers();
    const v = $('video');
    v.srcObject = stream;
    v.hidden = false;
    await v.play();
    state.camera = 'on';
    running = true;
    tokens = BURST;
    refilledAt = performance.now();
    // Only now, with the pipeline running, does the gate tell the server
    // it watches: from here on it sends faces' numbers.
    client.send({ type: 'watch', on: true });
    render();
    loop();
  } catch (e) {
    state.camera = 'failed';
    if (!state.cameraError) state.cameraError = 'other';
    console.warn('gate: starting the camera failed:', e && e.message);
    stopCamera();
    render();
  }
}

function stopCamera() {
  running = false;
  if (stream) for (const tr of stream.getTracks()) tr.stop();
  stream = null;
  const v = $('video');
  v.hidden = true;
  v.srcObject = null;
}

function stopWatching(tell = true) {
  stopCamera();
  for (const x of recent) x.e.fill(0);
  recent = [];
  state.faces = 0;
  if (state.camera !== 'failed') state.camera = 'off';
  if (tell) client.send({ type: 'watch', on: false });
  render();
}

// ---------- controls ----------

function setup() {
  let fromLink = '';
  try { fromLink = decodeURIComponent(location.hash.replace(/^#/, '')).replace(/^code=/, ''); } catch (_) { /* type the code */ }
  if (fromLink) $('code').value = fromLink.slice(0, 20);
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    $('error').hidden = true;
    client.ended = false;
    client.open({ type: 'gate', code: $('code').value });
  });
  $('watch').addEventListener('click', () => {
    if (state.camera === 'on') stopWatching(); else startWatching();
  });
  $('leave').addEventListener('click', () => {
    stopWatching(false);
    if (!client.send({ type: 'leave' })) finish('left');
  });
  onLang((l) => {
    state.lang = l;
    showStatus();
    if (state.id) render();
    renderOver();
  });
}

startPage({
  client, state, offline: showOffline,
  setup: () => {
    setup();
    state.blocked = cameraBlocker();
  },
});

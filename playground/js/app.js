// app.js — the playground page: start screen, sources, frame pacing, scenes,
// the privacy counter and the window.facewatch test hook.
import { t, setLang, initialLang, onLang } from './i18n.js';
import { fetchBytes, bytesSent, onSent } from './net.js';
import { detector, boot as bootDetector, call as callWorker, combined, onProgress, openCamera, cameraOpening } from './boot.js';
import { decode, CONFIRMED, FLAG_CHIP } from './wire.js';
import { initStory, showStory, STORY_SCENES } from './story/story.js';

const $ = (id) => document.getElementById(id);
const STEPS = 6;
const PLAY_STEP_MS = 5000;
const LANDMARKS = ['lp46', 'lp44', 'lp42', 'lp38', 'lp312', 'lp93', 'lp84', 'lp82', 'lp81'];
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

// The test hook (read-only for its users; this file is its only writer).
const hook = {
  ready: false,
  scene: 'find',
  source: 'none',
  lang: 'en',
  fps: 0,
  frames: 0,
  faces: [],
  tracks: [],
  timings: { grab: 0, detect: 0, align: 0, track: 0, embed: 0, total: 0 },
  bytesSent: 0,
  // Start-up marks, in ms since navigation (performance.now()): the worker
  // runs with the face finder loaded, the first frame came back from it,
  // the first face was found, the ebiten overlay drew its first frame.
  workerReadyMs: null,
  firstFrameMs: null,
  firstFaceMs: null,
  overlayReadyMs: null,
  worker: detector.build, // 'simd' or 'scalar': the worker build boot.js chose
};
window.facewatch = hook;
// The story scenes (js/story/story.js) add read-only getters to the hook:
// enrolled, gallery [{id, file, mine}], threshold, topMatches [{id,
// distance, match, mine}], rates, nearestStranger, baseRate {gallery, rate,
// n, f, result} and storyReady.

const state = {
  worker: null,
  started: null,         // promise: worker running with the face finder
  bootDone: false,
  models: new Set(),     // model names loaded in the worker
  alignLoading: null,    // promise for puploc + lps
  embedLoading: null,    // promise for the recognition network
  busy: false,
  frameId: 0,
  running: false,
  frozen: false,
  photo: false,
  mirror: false,
  step: 1,
  playing: false,
  playTimer: 0,
  stepStart: performance.now(),
  resultTimes: [],
  timeline: new Map(),   // track id → [[startMs, endMs], …]
  lastTimeline: 0,
  last: null,
  objectURL: null,
};

// ---------- loading ----------

function showProgress(loaded, total) {
  state.progress = [loaded, total]; // shown again when the language changes
  const kb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  $('load-progress').max = total || 1;
  $('load-progress').value = total ? loaded : 0;
  if (!total) $('load-progress').removeAttribute('value');
  $('load-text').textContent = total ? t('load.progress', { loaded: kb(loaded), total: kb(total) }) : t('load.progressUnknown', { loaded: kb(loaded) });
}

// fetchAll downloads several files with one combined progress report.
async function fetchAll(urls, progress) {
  const part = combined(urls.length, progress);
  return Promise.all(urls.map((u, i) => fetchBytes(u, part(i))));
}

function call(type, payload, transfer = []) {
  return callWorker(state.worker, type, payload, transfer);
}

// boot attaches the page to the detector js/boot.js started when the page
// began loading (see there) and resolves once it runs.
function boot() {
  if (state.started) return state.started;
  state.worker = detector.worker;
  if (state.worker) {
    state.worker.addEventListener('message', onWorkerMessage);
    state.worker.addEventListener('error', (e) => fail(t('error.worker', { error: e.message || 'error' })));
  }
  onProgress(showProgress);
  state.started = bootDetector().then(() => {
    state.models.add('facefinder');
    state.bootDone = true;
    hook.workerReadyMs = detector.readyMs;
  }, (e) => {
    throw e.code === 'noWasm' ? new Error(t('error.noWasm')) : e;
  });
  state.started.catch(() => {}); // reported by main() once the words are loaded
  return state.started;
}

// loadAlign fetches the pupil and landmark cascades the first time a step
// needs them (about 7.8 MB: not worth it for the tracking scene).
function loadAlign() {
  if (state.alignLoading) return state.alignLoading;
  $('models-note').hidden = false;
  const names = ['puploc', ...LANDMARKS];
  const urls = names.map((n) => (n === 'puploc' ? 'models/puploc' : `models/lps/${n}`));
  state.alignLoading = (async () => {
    const booted = boot();
    const bufs = await fetchAll(urls, (l, tot) => {
      $('models-note').textContent = t('load.models') + ' ' + (tot ? `${Math.round((100 * l) / tot)}%` : '');
    });
    await booted;
    for (let i = 0; i < names.length; i++) {
      await call('model', { name: names[i], bytes: bufs[i] }, [bufs[i]]);
      state.models.add(names[i]);
    }
    $('models-note').hidden = true;
    if (state.frozen || state.photo) processStill();
  })().catch((e) => { state.alignLoading = null; fail(t('load.failed', { error: e.message })); });
  return state.alignLoading;
}

// loadEmbed fetches the recognition network (6.4 MB) the first time step 6
// is reached, never before.
const EMBED_FILES = ['face_recognition_model-weights_manifest.json', 'face_recognition_model.bin'];
function loadEmbed() {
  if (state.embedLoading) return state.embedLoading;
  const note = $('embed-pending');
  state.embedLoading = (async () => {
    const booted = boot();
    const bufs = await fetchAll(EMBED_FILES.map((n) => `models/${n}`), (l, tot) => {
      note.textContent = t('find.s6.loading', { p: tot ? `${Math.round((100 * l) / tot)}%` : `${(l / 1048576).toFixed(1)} MB` });
    });
    await booted;
    for (let i = 0; i < EMBED_FILES.length; i++) {
      await call('model', { name: EMBED_FILES[i], bytes: bufs[i] }, [bufs[i]]);
      state.models.add(EMBED_FILES[i]);
    }
    note.textContent = t('find.s6.pending');
    $('embed-box').hidden = state.step !== STEPS;
    if (state.frozen || state.photo) processStill();
  })().catch((e) => { state.embedLoading = null; fail(t('load.failed', { error: e.message })); });
  return state.embedLoading;
}

function fail(msg) {
  $('error').textContent = msg;
  $('error').hidden = false;
}

// ---------- what each frame asks for ----------

function frameOptions() {
  if (hook.scene === 'track') return { track: true };
  if (STORY_SCENES.includes(hook.scene)) return {}; // boxes only: the story scenes ask the worker for more themselves
  const align = state.models.has('puploc');
  const o = {};
  if (state.step <= 3) o.candidates = true; // step 1 lights up accepted windows as the sweep passes them
  if (state.step >= 4 && align) { o.pupils = true; o.landmarks = state.models.has('lp38'); }
  if (state.step >= 5 && align) o.chip = true;
  if (state.step === STEPS && state.models.has(EMBED_FILES[1])) o.embed = true;
  return o;
}

// ---------- sources ----------

// useCamera shows the camera; opening is js/boot.js's promise when the
// camera was asked for while the page loaded (?source=camera).
async function useCamera(opening) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return useClip('source.noCamera');
  try {
    const stream = await (opening || openCamera());
    stopSource();
    const v = $('video');
    v.srcObject = stream;
    state.mirror = true;
    await startVideo('camera', 'source.camera');
  } catch (e) {
    const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
    return useClip(denied ? 'source.noCameraDenied' : 'source.noCamera');
  }
}

async function useClip(key = 'source.clip') {
  stopSource();
  const v = $('video');
  v.src = 'media/sample.webm';
  v.loop = true;
  state.mirror = false;
  try {
    await startVideo('clip', key);
  } catch (e) {
    setNote('source.clipMissing');
    hook.source = 'none';
  }
}

async function useFile(file) {
  if (!file) return;
  stopSource();
  state.mirror = false;
  const noteVars = { name: file.name };
  if (file.type.startsWith('video/')) {
    state.objectURL = URL.createObjectURL(file);
    $('video').src = state.objectURL;
    $('video').loop = true;
    await startVideo('file', 'source.file', noteVars);
    return;
  }
  const bmp = await createImageBitmap(file);
  const c = $('photo');
  const scale = Math.min(1, 1280 / Math.max(bmp.width, bmp.height));
  c.width = Math.round(bmp.width * scale);
  c.height = Math.round(bmp.height * scale);
  c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
  bmp.close();
  $('video').hidden = true;
  c.hidden = false;
  state.photo = true;
  hook.source = 'file';
  setNote('source.file', noteVars);
  await enterPlay(c.width, c.height);
  processStill();
}

let noteKey = null, noteVars = {};
function setNote(key, vars = {}) {
  noteKey = key; noteVars = vars;
  $('source-note').textContent = t(key, vars);
}

async function startVideo(source, key, vars) {
  const v = $('video');
  v.hidden = false;
  $('photo').hidden = true;
  state.photo = false;
  await new Promise((resolve, reject) => {
    if (v.readyState >= 1) return resolve();
    v.addEventListener('loadedmetadata', resolve, { once: true });
    v.addEventListener('error', () => reject(new Error('media error')), { once: true });
  });
  await v.play();
  performance.mark('facewatch:source-playing');
  hook.source = source;
  setNote(key, vars);
  await enterPlay(v.videoWidth, v.videoHeight);
  state.running = true;
  pump();
}

function stopSource() {
  state.running = false;
  const v = $('video');
  if (v.srcObject) { for (const tr of v.srcObject.getTracks()) tr.stop(); v.srcObject = null; }
  v.removeAttribute('src');
  v.load();
  if (state.objectURL) { URL.revokeObjectURL(state.objectURL); state.objectURL = null; }
  setFrozen(false, true);
  state.photo = false;
  hook.source = 'none';
  hook.faces = [];
  hook.tracks = [];
  state.timeline.clear();
  state.announced = undefined;
  window.facewatchFrame = null;
  clearBoxes();
  wakeOverlay();
}

async function enterPlay(w, h) {
  $('start').hidden = true;
  $('loading').hidden = state.bootDone;
  try {
    await state.started;
  } catch (e) {
    fail(t('load.failed', { error: e.message }));
    throw e;
  }
  $('loading').hidden = true;
  $('play').hidden = false;
  $('stage').style.aspectRatio = `${w} / ${h}`;
  $('video').classList.toggle('mirror', state.mirror);
  hook.ready = true;
  $('btn-freeze').hidden = state.photo; // a photo is still already
  layoutOverlay();
  if (hook.scene === 'find' && state.step >= 4) loadAlign();
}

// ---------- frame pump: one frame in flight at most ----------

function pump() {
  if (!state.running) return;
  const v = $('video');
  if ('requestVideoFrameCallback' in v) v.requestVideoFrameCallback(onVideoFrame);
  else requestAnimationFrame(onVideoFrame);
}

function onVideoFrame() {
  if (!state.running) return;
  if (!state.busy && !state.frozen && $('video').readyState >= 2) sendVideoFrame();
  pump();
}

function sendVideoFrame() {
  const v = $('video');
  if (typeof VideoFrame === 'function') {
    let vf;
    try {
      vf = new VideoFrame(v, { timestamp: Math.round(v.currentTime * 1e6) });
    } catch (_) {
      return; // no frame decoded yet
    }
    state.busy = true;
    if (state.frameId === 0) performance.mark('facewatch:first-frame-sent');
    state.worker.postMessage({ type: 'frame', id: ++state.frameId, frame: vf, opts: frameOptions() }, [vf]);
    return;
  }
  sendImage(v, v.videoWidth, v.videoHeight, frameOptions());
}

let grabCanvas = null;
function sendImage(src, w, h, opts) {
  if (!w || !h) return;
  if (!grabCanvas) grabCanvas = document.createElement('canvas');
  if (grabCanvas.width !== w || grabCanvas.height !== h) { grabCanvas.width = w; grabCanvas.height = h; }
  const g = grabCanvas.getContext('2d', { willReadFrequently: true });
  g.drawImage(src, 0, 0, w, h);
  const data = g.getImageData(0, 0, w, h).data.buffer;
  state.busy = true;
  state.worker.postMessage({ type: 'image', id: ++state.frameId, width: w, height: h, data, opts }, [data]);
}

// processStill runs the pipeline once on the photo or the frozen frame, in
// colour (so the chip is in colour).
function processStill() {
  if (!hook.ready) return;
  if (state.busy) { state.stillPending = true; return; }
  const opts = { ...frameOptions(), still: true, track: false };
  if (state.photo) sendImage($('photo'), $('photo').width, $('photo').height, opts);
  else if (state.frozen) sendImage($('video'), $('video').videoWidth, $('video').videoHeight, opts);
}

// ---------- results ----------

function onWorkerMessage(ev) {
  const m = ev.data;
  if (m.type === 'result') {
    state.busy = false;
    onResult(new Float32Array(m.buf), m.chip ? new Uint8ClampedArray(m.chip) : null);
    if (state.stillPending) { state.stillPending = false; processStill(); }
  } else if (m.type === 'error' && m.id !== undefined) {
    state.busy = false;
    fail(t('error.worker', { error: m.message }));
  }
}

function onResult(buf, chip) {
  const r = decode(buf);
  const now = performance.now();
  state.last = r;
  hook.frames++;
  state.resultTimes.push(now);
  while (state.resultTimes.length && state.resultTimes[0] < now - 1000) state.resultTimes.shift();
  hook.fps = state.resultTimes.length;
  hook.faces = r.faces.map((f) => ({ x: f.x, y: f.y, w: f.w, h: f.h, score: f.score }));
  hook.tracks = r.tracks.filter((tr) => tr.state === CONFIRMED)
    .map((tr) => ({ id: tr.id, x: tr.x, y: tr.y, w: tr.w, h: tr.h, state: 'confirmed', age: tr.age }));
  const k = hook.frames === 1 ? 1 : 0.1;
  for (const key in hook.timings) hook.timings[key] += k * (r.timings[key] - hook.timings[key]);
  if (hook.firstFrameMs === null) {
    hook.firstFrameMs = Math.round(now);
    performance.mark('facewatch:first-frame');
  }
  if (hook.firstFaceMs === null && r.faces.length > 0) hook.firstFaceMs = Math.round(now);
  announceFaces(r.faces.length, now);
  // The overlay starts once the first face is shown (or a second after
  // the first frame when there is none, or for a still): its start-up
  // blocks the page for a moment and must not delay the first box.
  if (hook.firstFaceMs !== null || now - hook.firstFrameMs > OVERLAY_AFTER_MS || state.photo || state.frozen) loadOverlay();
  if (hook.overlayReadyMs === null) drawBoxes(r);

  window.facewatchFrame = {
    seq: hook.frames,
    bytes: new Uint8Array(buf.buffer),
    scene: hook.scene === 'track' ? 2 : 1,
    step: state.step,
    stepStart: state.stepStart,
    reduced: reducedMotion.matches,
    mirror: state.mirror,
    displayScale: r.width ? $('stage').getBoundingClientRect().width / r.width : 1,
  };
  wakeOverlay();
  if (chip && r.flags & FLAG_CHIP) drawChip(chip);
  if (hook.scene === 'find' && state.step === STEPS) drawEmbedding(r.embedding);
  if (hook.scene === 'track') updateTrackScene(r, now);
  updateTimings();
}

// announceFaces tells screen readers how many faces are found, when the
// number has been steady for a moment (not on every frame).
function announceFaces(n, now) {
  if (n !== state.faceCount) { state.faceCount = n; state.faceCountSince = now; return; }
  if (n === state.announced || now - state.faceCountSince < 1000) return;
  state.announced = n;
  $('sr-status').textContent = t('status.faces', { n });
}

// ---------- overlay start-up and the boxes drawn until it is ready ----------

const OVERLAY_AFTER_MS = 1000;

// loadOverlay starts the ebiten overlay (overlay.html, 12 MB of wasm) once.
// Go's start-up there (runtime, ebiten's shader compiler, WebGL set-up) is
// one long task on this page's main thread, so it comes after the first
// face box, not before.
function loadOverlay() {
  const f = $('overlay');
  if (!f || state.overlayLoading) return;
  state.overlayLoading = true;
  f.src = 'overlay.html';
}

// The overlay calls this from its first Update (wasm/overlay).
window.facewatchOverlayReady = () => {
  if (hook.overlayReadyMs !== null) return;
  hook.overlayReadyMs = Math.round(performance.now());
  const c = $('boxes');
  c.getContext('2d').clearRect(0, 0, c.width, c.height);
  c.hidden = true;
};

// drawBoxes draws the faces' boxes on a plain 2D canvas while the overlay
// is not running yet (or is turned off with ?overlay=off), so the first
// face is seen as soon as it is found.
function drawBoxes(r) {
  const c = $('boxes');
  const show = !STORY_SCENES.includes(hook.scene) && r.width > 0;
  c.hidden = !show;
  if (!show) return;
  if (c.width !== r.width || c.height !== r.height) { c.width = r.width; c.height = r.height; }
  c.classList.toggle('mirror', state.mirror);
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  g.strokeStyle = '#ffcc00';
  g.lineWidth = Math.max(2, r.width / 240);
  for (const f of r.faces) g.strokeRect(f.x, f.y, f.w, f.h);
}

function clearBoxes() {
  const c = $('boxes');
  c.getContext('2d').clearRect(0, 0, c.width, c.height);
}

function wakeOverlay() {
  const f = $('overlay');
  const w = f && f.contentWindow;
  if (w && typeof w.fwWake === 'function') w.fwWake();
}

function drawChip(chip) {
  const c = $('chip');
  c.getContext('2d').putImageData(new ImageData(chip, 150, 150), 0, 0);
  $('chip-caption').textContent = t('find.chip');
  state.hasChip = true;
}

// drawEmbedding shows the 128 numbers as a strip of cells: blue below zero,
// orange above, brighter for larger magnitudes.
function drawEmbedding(d) {
  const c = $('embed-strip');
  const g = c.getContext('2d');
  const caption = $('embed-box').querySelector('figcaption');
  if (!d) { caption.textContent = t('find.embedWait'); return; }
  caption.textContent = t('find.embedStrip');
  const w = c.width / d.length;
  let maxAbs = 1e-6;
  for (const v of d) maxAbs = Math.max(maxAbs, Math.abs(v));
  g.clearRect(0, 0, c.width, c.height);
  for (let i = 0; i < d.length; i++) {
    const a = Math.abs(d[i]) / maxAbs;
    g.fillStyle = d[i] < 0 ? `rgba(77,195,255,${0.15 + 0.85 * a})` : `rgba(255,140,66,${0.15 + 0.85 * a})`;
    g.fillRect(i * w, 0, Math.ceil(w), c.height);
  }
}

function updateTimings() {
  const now = performance.now();
  if (now - (state.lastTimingsUI || 0) < 500) return;
  state.lastTimingsUI = now;
  $('fps-text').textContent = t('timings.fps', { fps: hook.fps });
  for (const k in hook.timings) $(`t-${k}`).textContent = t('timings.ms', { ms: hook.timings[k].toFixed(1) });
}

// ---------- scenes ----------

function setScene(scene) {
  hook.scene = scene;
  for (const b of document.querySelectorAll('[role=tab]')) {
    const on = b.dataset.scene === scene;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  $('scene-find').hidden = scene !== 'find';
  $('scene-track').hidden = scene !== 'track';
  $('case').hidden = scene !== 'track';
  for (const s of STORY_SCENES) $(`scene-${s}`).hidden = scene !== s;
  // The overlay draws the find and track scenes; the story scenes show the plain picture.
  if ($('overlay')) $('overlay').hidden = STORY_SCENES.includes(scene);
  if (STORY_SCENES.includes(scene)) $('boxes').hidden = true;
  showStory(scene);
  if (scene !== 'find') {
    setPlaying(false);
    if (state.frozen) setFrozen(false); // tracking needs the video moving
  }
  if (scene === 'find' && state.step >= 4) loadAlign();
  refreshOverlayState();
  if (state.photo || state.frozen) processStill();
}

function setStep(n) {
  state.step = ((n - 1 + STEPS) % STEPS) + 1;
  state.stepStart = performance.now();
  for (const li of document.querySelectorAll('#steps li')) {
    const on = Number(li.dataset.step) === state.step;
    li.classList.toggle('current', on);
    if (on) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  }
  $('step-of').textContent = t('find.stepOf', { n: state.step, total: STEPS });
  $('chip-box').hidden = state.step < 5;
  $('embed-box').hidden = state.step !== STEPS || !state.models.has(EMBED_FILES[1]);
  if (state.step >= 4) loadAlign();
  if (state.step === STEPS) loadEmbed();
  refreshOverlayState();
  if (state.photo || state.frozen) processStill();
}

function setPlaying(on) {
  state.playing = on;
  $('btn-play').setAttribute('aria-pressed', String(on));
  $('btn-play').textContent = t(on ? 'find.pause' : 'find.play');
  clearInterval(state.playTimer);
  if (on) state.playTimer = setInterval(() => setStep(state.step + 1), PLAY_STEP_MS);
}

function setFrozen(on, quiet) {
  state.frozen = on;
  $('btn-freeze').setAttribute('aria-pressed', String(on));
  $('btn-freeze').textContent = t(on ? 'find.unfreeze' : 'find.freeze');
  if (quiet) return;
  const v = $('video');
  if (on) { v.pause(); processStill(); } else if (!state.photo) { v.play(); }
}

// The overlay also reads scene and step between results (e.g. when frozen).
function refreshOverlayState() {
  if (window.facewatchFrame) {
    Object.assign(window.facewatchFrame, {
      scene: hook.scene === 'track' ? 2 : 1, step: state.step, stepStart: state.stepStart,
      reduced: reducedMotion.matches, mirror: state.mirror,
    });
  }
  wakeOverlay();
}

function updateTrackScene(r, now) {
  // The worker counts in video coordinates; a mirrored camera view shows
  // left and right swapped, so swap the counts to match what is seen.
  $('count-in').textContent = state.mirror ? r.out : r.in;
  $('count-out').textContent = state.mirror ? r.in : r.out;
  for (const tr of r.tracks) {
    if (tr.state !== CONFIRMED) continue;
    const spans = state.timeline.get(tr.id) || [];
    const lastSpan = spans[spans.length - 1];
    if (lastSpan && now - lastSpan[1] < 700) lastSpan[1] = now; else spans.push([now, now]);
    state.timeline.set(tr.id, spans);
  }
  if (now - state.lastTimeline < 200) return;
  state.lastTimeline = now;
  const list = $('track-list');
  const items = r.tracks.filter((tr) => tr.state === CONFIRMED).map((tr) => {
    const li = document.createElement('li');
    li.textContent = `${t('track.id', { id: tr.id })} — ${t('track.seconds', { s: (tr.age / 1000).toFixed(1) })}`;
    return li;
  });
  list.replaceChildren(...items);
  drawTimeline(now);
}

const PALETTE = ['#ffcc00', '#00d1ff', '#ff5fa2', '#7cff6b', '#ff8c42', '#b18cff', '#4dffd2', '#ff4d4d'];

function drawTimeline(now) {
  const c = $('timeline');
  const w = c.clientWidth || 300;
  const ids = [...state.timeline.keys()].filter((id) => state.timeline.get(id).some((s) => s[1] > now - 60000));
  const rowH = 18;
  const h = Math.max(rowH, ids.length * rowH);
  if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
  const g = c.getContext('2d');
  g.clearRect(0, 0, w, h);
  const labelW = 36;
  const x = (ms) => labelW + ((ms - (now - 60000)) / 60000) * (w - labelW);
  ids.forEach((id, i) => {
    g.fillStyle = PALETTE[id % PALETTE.length];
    g.font = '12px system-ui, sans-serif';
    g.fillText(String(id), 4, i * rowH + 13);
    for (const [a, b] of state.timeline.get(id)) {
      if (b < now - 60000) continue;
      g.fillRect(x(Math.max(a, now - 60000)), i * rowH + 4, Math.max(2, x(b) - x(Math.max(a, now - 60000))), rowH - 8);
    }
  });
  $('timeline-none').hidden = ids.length > 0;
}

// ---------- overlay placement ----------

// The overlay iframe renders at reduced resolution and is scaled up by CSS:
// ebiten's cost grows with its canvas, and boxes do not need full resolution.
function layoutOverlay() {
  const stage = $('stage');
  const f = $('overlay');
  const rect = stage.getBoundingClientRect();
  if (!f || !rect.width) return;
  const q = rect.width > 480 ? 0.5 : 1;
  const w = Math.round(rect.width * q), h = Math.round(rect.height * q);
  if (f.width !== String(w)) f.width = String(w);
  if (f.height !== String(h)) f.height = String(h);
  f.style.width = `${w}px`;
  f.style.height = `${h}px`;
  f.style.transform = `scale(${rect.width / w}, ${rect.height / h})`;
}

// ---------- wiring ----------

function wire() {
  $('use-camera').addEventListener('click', () => { boot(); useCamera(); });
  $('use-clip').addEventListener('click', () => { boot(); useClip(); });
  $('pick-file').addEventListener('change', (e) => { boot(); useFile(e.target.files[0]); });
  $('change-source').addEventListener('click', () => {
    stopSource();
    $('play').hidden = true;
    $('start').hidden = false;
    $('pick-file').value = '';
    $('use-camera').focus();
  });
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => setLang(b.dataset.lang));
  for (const b of document.querySelectorAll('[role=tab]')) b.addEventListener('click', () => setScene(b.dataset.scene));
  document.querySelector('.scenes').addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const tabs = [...document.querySelectorAll('.scenes [role=tab]')].map((b) => b.dataset.scene);
    const next = tabs[(tabs.indexOf(hook.scene) + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    setScene(next);
    $(`tab-${next}`).focus();
    e.preventDefault();
  });
  $('btn-step').addEventListener('click', () => setStep(state.step + 1));
  $('btn-prev').addEventListener('click', () => setStep(state.step - 1));
  $('btn-play').addEventListener('click', () => setPlaying(!state.playing));
  $('btn-freeze').addEventListener('click', () => setFrozen(!state.frozen));
  document.addEventListener('keydown', (e) => {
    if (hook.scene !== 'find' || $('play').hidden || e.altKey || e.ctrlKey || e.metaKey) return;
    const tag = (e.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || e.target.getAttribute('role') === 'tab') return;
    if (e.key === 'ArrowRight') { setStep(state.step + 1); e.preventDefault(); }
    if (e.key === 'ArrowLeft') { setStep(state.step - 1); e.preventDefault(); }
    if (e.key === 'f' || e.key === 'F') { setFrozen(!state.frozen); e.preventDefault(); }
  });
  onSent((n) => { hook.bytesSent = n; $('sent-bytes').textContent = n.toLocaleString(); });
  onLang((l) => {
    hook.lang = l;
    if (noteKey) $('source-note').textContent = t(noteKey, noteVars);
    setPlaying(state.playing);
    setFrozen(state.frozen, true);
    if (state.progress) showProgress(...state.progress);
    $('step-of').textContent = t('find.stepOf', { n: state.step, total: STEPS });
  });
  new ResizeObserver(layoutOverlay).observe($('stage'));
  reducedMotion.addEventListener('change', refreshOverlayState);
}

async function main() {
  const q = new URLSearchParams(location.search);
  const src = q.get('source');
  // ?overlay=off drops the ebiten overlay (to measure what it costs); the
  // page's plain boxes stay.
  if (q.get('overlay') === 'off') $('overlay').remove();
  wire();
  // The words and the source load together: on a link straight to the
  // camera its stream is already opening (js/boot.js), and the first frame
  // need not wait for the language files or the story scenes.
  const lang = setLang(initialLang());
  if (src === 'camera') useCamera(cameraOpening);
  else if (src === 'clip') useClip();
  initStory({
    hook,
    worker: () => (state.bootDone ? state.worker : null),
    hasSource: () => hook.ready && hook.source !== 'none',
    ensureModels: async () => {
      await Promise.all([loadAlign(), loadEmbed()]);
      if (!state.models.has('puploc') || !state.models.has(EMBED_FILES[1])) throw new Error(t('load.failed', { error: 'models' }));
    },
    onSent,
  });
  hook.bytesSent = bytesSent();
  await lang;
  state.started.catch((e) => fail(t('load.failed', { error: e.message })));
  setStep(1);
  if (['track', ...STORY_SCENES].includes(q.get('scene'))) setScene(q.get('scene'));
  const step = Number(q.get('step'));
  if (step >= 1 && step <= STEPS) setStep(step);
}

boot();
main();

// join.js — the students' page: join with a code and a nickname, compute
// the face's 128 numbers on this device with the playground's worker
// (facelib's detection, alignment and embedding, compiled to wasm), and
// share them only on request; withdraw or leave at any time. The camera
// picture and the face chip never leave the page; the scene the teacher
// moves the class to is followed here.
import { $, deviceClient, openFrontCamera, overKey, publish, SCENES, startPage } from './common.js';
import { t, num, onLang, currentLang } from './i18n.js';
import { decode } from '../js/wire.js';
import { fetchBytes } from '../js/net.js';
import { call as callWorker, workerBuild } from '../js/workerlib.js';
import { MODELS } from '../js/manifest.js';
import { cameraBlocker, cameraFailure, hasVideoInput } from '../js/secure.js';

const SAMPLES = 5;       // embeddings of different frames averaged into the one that can be shared
const MAX_FRAMES = 150;  // frames tried before giving up on finding a face
const CHIP = 150;        // the aligned face chip is CHIP×CHIP RGBA

const state = {
  role: 'student',
  lang: 'en',
  offline: false,  // no classroom server at this address
  connected: false,
  status: 'idle',
  code: '',
  id: '',
  nick: '',
  scene: 'lobby',
  locked: false,
  students: 0,
  sharing: 0,
  shared: false,   // the server holds my numbers
  rev: 0,
  journey: [],     // where gates saw me: [{id, gate, t, d, notMe}] (mine only)
  embeddingReady: false, // my numbers are computed on this device
  samples: 0,      // frames whose embeddings were averaged
  camera: 'off',   // off | checking | loading | on | done | failed
  cameraError: '', // denied | nocamera | noface | camera | photo | other
  blocked: '',     // '' or why this page cannot have the camera: insecure | missing
  source: '',      // where the numbers came from: camera | photo
  error: null,
  ended: null,
};
// Test hook: a read-only snapshot of the page's state.
publish('facewatchClassroom', () => state);

let embedding = null; // Float32Array(128), on this device until shared

const { client, showStatus, showOffline, showJoined } = deviceClient(state, 'facewatch.classroom.student', onMessage);

const ERRORS = ['bad_message', 'join_failed', 'rate_limited', 'bad_nick', 'nick_taken', 'room_full', 'server_full', 'forbidden', 'bad_embedding', 'share_limit', 'no_sighting'];

function onMessage(m) {
  switch (m.type) {
    case 'welcome':
      Object.assign(state, { code: m.display, id: m.id, nick: m.nick, error: null, offline: false });
      showJoined();
      render();
      break;
    case 'state':
      Object.assign(state, { scene: m.scene, locked: m.locked, students: m.students, sharing: m.sharing, shared: m.you.shared, rev: m.you.rev, journey: m.you.journey || [] });
      render();
      break;
    case 'error':
      state.error = m.code;
      $('error').textContent = ERRORS.includes(m.code) ? t(`error.${m.code}`) : m.msg;
      $('error').hidden = !$('in-class').hidden;
      // In class, a refused share is said beside the Share button.
      if (!$('in-class').hidden && (m.code === 'share_limit' || m.code === 'bad_embedding')) {
        $('sharing-status').textContent = t(`error.${m.code}`);
        $('sharing-status').className = 'error';
      }
      break;
    case 'ended':
      finish(m.reason);
      break;
  }
}

function finish(reason) {
  state.ended = reason;
  state.shared = false;
  state.journey = [];
  renderJourney();
  forget();
  stopCamera();
  $('in-class').hidden = true;
  $('join').hidden = true;
  $('over').hidden = false;
  renderOver();
}

function renderOver() {
  if (state.ended === null) return;
  $('over-title').textContent = t(overKey('join', state.ended));
}

function render() {
  const sc = SCENES.includes(state.scene) ? state.scene : 'lobby';
  document.body.dataset.scene = sc;
  $('where').textContent = t(state.locked ? 'join.whereLocked' : 'join.where', {
    code: state.code, nick: state.nick, n: num(state.students), sharing: num(state.sharing),
  });
  $('scene-title').textContent = `${SCENES.indexOf(sc) + 1}/${SCENES.length} · ${t(`scene.${sc}`)}`;
  $('scene-text').textContent = t(`join.scene.${sc}`);
  $('scene-list').hidden = sc !== 'discuss';
  $('numbers').classList.toggle('focus', sc === 'share');

  if (!(state.error === 'share_limit' || state.error === 'bad_embedding')) {
    $('sharing-status').textContent = t(state.shared ? 'join.status.shared' : 'join.status.none');
    $('sharing-status').className = state.shared ? 'status-shared' : '';
  }
  $('share').disabled = !state.embeddingReady;
  $('share').textContent = t(state.shared ? 'join.shareAgain' : 'join.share');
  $('withdraw').hidden = !state.shared;
  renderCamera();
  renderNumbers();
  renderJourney();
}

// renderJourney shows where the gates saw me, with "That wasn't me" for
// each sighting: shown once I share, or on the gates scene.
function renderJourney() {
  const j = state.journey;
  $('journey-box').hidden = !(j.length || (state.shared && state.scene === 'gates'));
  $('journey-none').hidden = j.length > 0;
  $('journey').replaceChildren(...j.map((x) => {
    const li = document.createElement('li');
    li.dataset.sighting = x.id;
    const when = new Date(x.t).toLocaleTimeString(currentLang() === 'ko' ? 'ko-KR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
    const text = document.createElement('span');
    text.textContent = t('join.journey.item', { gate: t(`gate.name.${x.gate}`), time: when, d: num(x.d, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) });
    li.append(text);
    if (x.notMe) {
      li.classList.add('notme');
      const m = document.createElement('strong');
      m.textContent = ` ${t('join.journey.marked')}`;
      li.append(m);
    } else {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'notme-button';
      b.textContent = t('join.journey.notMe');
      b.setAttribute('aria-label', t('join.journey.notMeAria', { gate: t(`gate.name.${x.gate}`), time: when }));
      b.addEventListener('click', () => client.send({ type: 'notme', sighting: x.id }));
      li.append(b);
    }
    return li;
  }));
}

const CAMERA_NOTES = { denied: 'join.camera.denied', nocamera: 'join.camera.noCamera', noface: 'join.camera.noFace', photo: 'join.camera.badPhoto' };
const BLOCKED = { insecure: 'join.blocked.insecure', missing: 'join.blocked.missing' };

function renderCamera() {
  const c = state.camera;
  // Without a secure page the camera button would only fail: the photo is
  // the way, and the page says why.
  $('camera').hidden = state.blocked !== '';
  $('why-no-camera').hidden = state.blocked === '';
  if (state.blocked) $('why-no-camera').textContent = t(BLOCKED[state.blocked]);
  $('camera').textContent = t(c === 'done' || c === 'failed' ? 'join.cameraAgain' : 'join.camera');
  let note = '';
  if (c === 'checking') note = t('join.camera.checking');
  else if (c === 'loading') note = t('join.camera.loading');
  else if (c === 'on') note = state.samples ? t('join.camera.progress', { got: state.samples, n: SAMPLES }) : t('join.camera.look');
  else if (c === 'done') note = t(state.source === 'photo' ? 'join.photo.done' : 'join.camera.done');
  else if (c === 'failed') note = t(CAMERA_NOTES[state.cameraError] || 'join.camera.failed');
  $('camera-note').textContent = note;
}

function renderNumbers() {
  $('mine').hidden = !embedding;
  if (!embedding) return;
  const f = (x) => num(x, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  $('numbers-text').textContent = t('join.numbers.preview', { list: Array.from(embedding.subarray(0, 6), f).join(', ') });
  $('numbers-all').textContent = Array.from(embedding, f).join('  ');
}

function forget() {
  if (embedding) embedding.fill(0);
  embedding = null;
  state.embeddingReady = false;
  state.samples = 0;
  const g = $('chip').getContext('2d');
  g.clearRect(0, 0, CHIP, CHIP);
  $('strip').getContext('2d').clearRect(0, 0, $('strip').width, $('strip').height);
  $('numbers-text').textContent = '';
  $('numbers-all').textContent = '';
  $('mine').hidden = true;
}

function setEmbedding(vec, chip) {
  embedding = Float32Array.from(vec);
  state.embeddingReady = true;
  drawStrip();
  if (chip) $('chip').getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(chip), CHIP, CHIP), 0, 0);
  render();
}

function drawStrip() {
  const c = $('strip');
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const w = c.width / embedding.length;
  for (let i = 0; i < embedding.length; i++) {
    const v = Math.max(-1, Math.min(1, embedding[i] / 0.25));
    g.fillStyle = v >= 0 ? `rgb(${Math.round(255 * v)}, ${Math.round(150 * v)}, 0)` : `rgb(0, ${Math.round(-150 * v)}, ${Math.round(-255 * v)})`;
    g.fillRect(i * w, 0, Math.ceil(w), c.height);
  }
}

// ---------- the embedding, computed on this device ----------

let worker = null;
let workerReady = null;

function call(type, payload, transfer = []) { return callWorker(worker, type, payload, transfer); }

// startWorker loads the worker, the detector, the pupil locator and the
// recognition network (about 7 MB, cached by the browser after the first
// time). Only downloads: nothing is sent.
function startWorker() {
  if (workerReady) return workerReady;
  worker = new Worker('../js/worker.js');
  workerReady = (async () => {
    // The worker build this browser runs (wasm SIMD or not), and the
    // models the page needs, from the site's own lists; paths are from
    // the site's root, one folder up.
    const files = [MODELS.faceFinder, MODELS.pupils, ...MODELS.embed];
    const [wasm, ...bufs] = await Promise.all([`../${workerBuild().wasmURL}`, ...files.map((f) => `../${f.path}`)].map((u) => fetchBytes(u)));
    await call('start', { wasm }, [wasm]);
    for (let i = 0; i < files.length; i++) await call('model', { name: files[i].name, bytes: bufs[i] }, [bufs[i]]);
  })();
  workerReady.catch(() => { worker.terminate(); worker = null; workerReady = null; });
  return workerReady;
}

let grabCanvas = null;

// frameResult hands one camera frame to the worker (a transferred
// VideoFrame, or the frame's RGBA pixels where VideoFrame is missing) and
// resolves to the worker's answer: {buf, chip}.
function frameResult(video, id) {
  return new Promise((resolve, reject) => {
    const onMsg = (ev) => {
      const m = ev.data;
      if (m.id !== id) return;
      worker.removeEventListener('message', onMsg);
      if (m.type === 'error') reject(new Error(m.message)); else resolve(m);
    };
    worker.addEventListener('message', onMsg);
    const opts = { pupils: true, chip: true, embed: true, still: true };
    if (typeof VideoFrame === 'function') {
      const vf = new VideoFrame(video, { timestamp: Math.round(video.currentTime * 1e6) });
      worker.postMessage({ type: 'frame', id, frame: vf, opts }, [vf]);
      return;
    }
    const w = video.videoWidth, h = video.videoHeight;
    if (!grabCanvas) grabCanvas = document.createElement('canvas');
    grabCanvas.width = w; grabCanvas.height = h;
    const g = grabCanvas.getContext('2d', { willReadFrequently: true });
    g.drawImage(video, 0, 0, w, h);
    const data = g.getImageData(0, 0, w, h).data.buffer;
    worker.postMessage({ type: 'image', id, width: w, height: h, data, opts }, [data]);
  });
}

let stream = null;

function stopCamera() {
  if (stream) for (const tr of stream.getTracks()) tr.stop();
  stream = null;
  const v = $('video');
  v.hidden = true;
  v.srcObject = null;
}

// computeEmbedding asks for the camera first and downloads the detector
// and the recognition network (about 7 MB) only once there is a picture
// to compute from: on a page that cannot have the camera nothing is
// downloaded, and the page says why.
async function computeEmbedding() {
  state.blocked = cameraBlocker();
  state.cameraError = '';
  state.samples = 0;
  if (state.blocked) { state.camera = 'off'; renderCamera(); return; }
  state.camera = 'checking';
  $('camera').disabled = true;
  renderCamera();
  try {
    if (!(await hasVideoInput())) {
      state.cameraError = 'nocamera';
      throw new Error('no camera');
    }
    try {
      stream = await openFrontCamera();
    } catch (e) {
      state.cameraError = cameraFailure(e);
      throw e;
    }
    state.camera = 'loading';
    renderCamera();
    await startWorker();
    const v = $('video');
    v.srcObject = stream;
    v.hidden = false;
    await v.play();
    state.camera = 'on';
    renderCamera();
    const sum = new Float64Array(128);
    let chip = null;
    for (let id = 1; state.samples < SAMPLES && id <= MAX_FRAMES; id++) {
      const r = await frameResult(v, id);
      const e = decode(new Float32Array(r.buf)).embedding;
      if (e && e.length === 128) {
        for (let i = 0; i < 128; i++) sum[i] += e[i];
        state.samples++;
        if (r.chip) chip = r.chip;
        renderCamera();
      }
    }
    if (state.samples < SAMPLES) {
      state.cameraError = 'noface';
      throw new Error('no face');
    }
    setEmbedding(Array.from(sum, (x) => x / state.samples), chip);
    state.source = 'camera';
    state.camera = 'done';
  } catch (e) {
    state.camera = 'failed';
    if (!state.cameraError) state.cameraError = 'other';
    console.warn('classroom: computing the numbers failed:', e && e.message);
  } finally {
    stopCamera();
    $('camera').disabled = false;
    renderCamera();
  }
}

// ---------- the photo path ----------

const MAX_PHOTO_SIDE = 1280; // larger photos are scaled down before detection

// decodePhoto decodes an image file on this device, upright as the camera
// app took it. Browsers without createImageBitmap options (older Safari)
// decode through an <img> of a blob: URL, which never leaves the page.
async function decodePhoto(file) {
  if (typeof createImageBitmap === 'function') {
    try { return await createImageBitmap(file, { imageOrientation: 'from-image' }); } catch (_) { /* try the next way */ }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return { width: img.naturalWidth, height: img.naturalHeight, source: img, close() {} };
  } finally {
    URL.revokeObjectURL(url);
  }
}

// computeFromPhoto turns a photo (taken with the phone's camera app through
// <input capture>, which needs no secure page, or chosen from the files)
// into the same 128 numbers, on this device: the file is decoded here, its
// pixels go to the same worker as camera frames, and nothing is sent.
async function computeFromPhoto(file) {
  if (!file) return;
  state.cameraError = '';
  state.samples = 0;
  state.camera = 'loading';
  $('camera').disabled = true;
  $('photo').disabled = true;
  renderCamera();
  try {
    let bmp;
    try {
      bmp = await decodePhoto(file);
    } catch (e) {
      state.cameraError = 'photo';
      throw e;
    }
    const k = Math.min(1, MAX_PHOTO_SIDE / Math.max(bmp.width, bmp.height));
    const w = Math.max(1, Math.round(bmp.width * k)), h = Math.max(1, Math.round(bmp.height * k));
    const cv = document.createElement('canvas');
    cv.width = w; cv.height = h;
    const g = cv.getContext('2d', { willReadFrequently: true });
    g.drawImage(bmp.source || bmp, 0, 0, w, h);
    bmp.close();
    const data = g.getImageData(0, 0, w, h).data.buffer;
    cv.width = cv.height = 0;
    await startWorker();
    const r = await new Promise((resolve, reject) => {
      const id = 1e6 + Math.floor(Math.random() * 1e6);
      const onMsg = (ev) => {
        const m = ev.data;
        if (m.id !== id) return;
        worker.removeEventListener('message', onMsg);
        if (m.type === 'error') reject(new Error(m.message)); else resolve(m);
      };
      worker.addEventListener('message', onMsg);
      worker.postMessage({ type: 'image', id, width: w, height: h, data, opts: { pupils: true, chip: true, embed: true, still: true } }, [data]);
    });
    const e = decode(new Float32Array(r.buf)).embedding;
    if (!e || e.length !== 128) {
      state.cameraError = 'noface';
      throw new Error('no face');
    }
    state.samples = 1;
    setEmbedding(Array.from(e), r.chip);
    state.source = 'photo';
    state.camera = 'done';
  } catch (e) {
    state.camera = 'failed';
    if (!state.cameraError) state.cameraError = 'other';
    console.warn('classroom: computing the numbers from the photo failed:', e && e.message);
  } finally {
    $('photo').value = '';
    $('photo').disabled = false;
    $('camera').disabled = false;
    renderCamera();
  }
}

// ---------- controls ----------

function setup() {
  let fromLink = '';
  try { fromLink = decodeURIComponent(location.hash.replace(/^#/, '')).replace(/^code=/, ''); } catch (_) { /* a mangled link: type the code */ }
  if (fromLink) $('code').value = fromLink.slice(0, 20);
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    $('error').hidden = true;
    client.ended = false;
    client.open({ type: 'join', code: $('code').value, nick: $('nick').value });
  });
  $('camera').addEventListener('click', computeEmbedding);
  $('photo').addEventListener('change', (e) => computeFromPhoto(e.target.files[0]));
  $('share').addEventListener('click', () => {
    if (!embedding) return;
    state.error = null;
    // Six decimals: the numbers as computed, and small enough for the
    // server's message limit.
    client.send({ type: 'share', embedding: Array.from(embedding, (x) => Math.round(x * 1e6) / 1e6) });
  });
  $('withdraw').addEventListener('click', () => client.send({ type: 'withdraw' }));
  $('leave').addEventListener('click', () => {
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
    // Known before anything is pressed or downloaded.
    state.blocked = cameraBlocker();
  },
});

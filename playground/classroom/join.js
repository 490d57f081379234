// join.js — the students' page: join with a code and a nickname, compute
// the face's 128 numbers locally with the playground's worker, and share
// them only on request; withdraw or leave at any time.
import { $, Client, publish, SCENE_TITLES } from './common.js';
import { decode } from '../js/wire.js';

const SCENE_TEXT = {
  lobby: 'Wait for the class to start. Nothing is shared.',
  share: 'Decide whether to share your 128 numbers. You can say no; you can change your mind.',
  matrix: 'Look at the projector: how close the numbers of different people are.',
  pairs: 'Look at the projector: the closest look-alikes are different people.',
  threshold: 'Look at the projector: where the computer draws the line between "same" and "different".',
  scale: 'Look at the projector: what this means for a database of 57.6 million people.',
  discuss: 'Discussion time.',
};

const EMBED_FILES = ['face_recognition_model-weights_manifest.json', 'face_recognition_model.bin'];
const SAMPLES = 5; // embeddings averaged into the one that can be shared

const state = {
  role: 'student',
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
  embeddingReady: false, // my numbers are computed on this device
  camera: 'off',   // off | loading | on | done | failed
  error: null,
  ended: null,
};
// Test hook: a read-only snapshot of the page's state.
publish('facewatchClassroom', () => state);

let embedding = null; // Float32Array(128), local until shared

const client = new Client({
  storageKey: 'facewatch.classroom.student',
  onMessage,
  onStatus: (s) => {
    state.status = s; state.connected = s === 'open';
    $('status').textContent = { connecting: 'connecting…', open: 'connected', retrying: 'connection lost, reconnecting…', closed: 'not connected' }[s] || s;
  },
});

function onMessage(m) {
  switch (m.type) {
    case 'welcome':
      state.code = m.display; state.id = m.id; state.nick = m.nick; state.error = null;
      $('room-code').textContent = m.display;
      $('me').textContent = m.nick;
      $('join').hidden = true;
      $('in-class').hidden = false;
      break;
    case 'state':
      Object.assign(state, { scene: m.scene, locked: m.locked, students: m.students, sharing: m.sharing, shared: m.you.shared, rev: m.you.rev });
      render();
      break;
    case 'error':
      state.error = m.code;
      $('error').textContent = {
        join_failed: 'No open class with that code. Check the code, or ask your teacher.',
        bad_nick: 'Use 1 to 24 letters, digits or spaces for your nickname.',
        nick_taken: 'Someone in the class already uses that nickname.',
        rate_limited: 'Too many attempts. Wait a minute and try again.',
        room_full: 'This class is full.',
      }[m.code] || m.msg;
      $('error').hidden = false;
      if (!$('in-class').hidden) $('error').hidden = true;
      break;
    case 'ended':
      finish(m.reason);
      break;
  }
}

function finish(reason) {
  state.ended = reason;
  state.shared = false;
  forget();
  $('in-class').hidden = true;
  $('join').hidden = true;
  $('over').hidden = false;
  $('over-title').textContent = { ended: 'The teacher ended the session', removed: 'The teacher removed you from the class', idle: 'The class was closed', shutdown: 'The server stopped', replaced: 'You joined from another window' }[reason] || 'You have left the class';
}

function render() {
  $('scene-text').textContent = `${SCENE_TITLES[state.scene] || ''}: ${SCENE_TEXT[state.scene] || ''}`;
  $('counts').textContent = `${state.students} in the class, ${state.sharing} sharing.${state.locked ? ' The room is locked.' : ''}`;
  $('sharing-status').textContent = state.shared ? 'You share your 128 numbers with this class.' : 'You share nothing.';
  $('sharing-status').className = state.shared ? 'status-shared' : '';
  $('share').disabled = !state.embeddingReady;
  $('share').textContent = state.shared ? 'Share my new numbers instead' : 'Share my 128 numbers with the class';
  $('withdraw').hidden = !state.shared;
}

function forget() {
  if (embedding) embedding.fill(0);
  embedding = null;
  state.embeddingReady = false;
}

function setEmbedding(vec) {
  embedding = Float32Array.from(vec);
  state.embeddingReady = true;
  drawStrip();
  render();
}

function drawStrip() {
  const c = $('strip');
  c.hidden = !embedding;
  if (!embedding) return;
  const g = c.getContext('2d');
  const w = c.width / embedding.length;
  for (let i = 0; i < embedding.length; i++) {
    const v = Math.max(-1, Math.min(1, embedding[i] / 0.25));
    g.fillStyle = v >= 0 ? `rgb(${Math.round(255 * v)}, ${Math.round(200 * v)}, 0)` : `rgb(0, ${Math.round(-150 * v)}, ${Math.round(-255 * v)})`;
    g.fillRect(i * w, 0, Math.ceil(w), c.height);
  }
}

// ---------- the embedding, computed on this device ----------

let worker = null;

function call(type, payload, transfer = []) {
  return new Promise((resolve, reject) => {
    const onMsg = (ev) => {
      const m = ev.data;
      if (m.type === 'error' && m.id === undefined) { worker.removeEventListener('message', onMsg); reject(new Error(m.message)); return; }
      if ((type === 'start' && m.type === 'started') || (type === 'model' && m.type === 'model' && m.name === payload.name)) {
        worker.removeEventListener('message', onMsg);
        if (m.error) reject(new Error(m.error)); else resolve();
      }
    };
    worker.addEventListener('message', onMsg);
    worker.postMessage({ type, ...payload }, transfer);
  });
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.arrayBuffer();
}

async function startWorker() {
  if (worker) return;
  worker = new Worker('../js/worker.js');
  const files = ['../worker.wasm', '../models/facefinder', '../models/puploc', ...EMBED_FILES.map((f) => `../models/${f}`)];
  const [wasm, ff, pl, man, bin] = await Promise.all(files.map(fetchBytes));
  await call('start', { wasm }, [wasm]);
  await call('model', { name: 'facefinder', bytes: ff }, [ff]);
  await call('model', { name: 'puploc', bytes: pl }, [pl]);
  await call('model', { name: EMBED_FILES[0], bytes: man }, [man]);
  await call('model', { name: EMBED_FILES[1], bytes: bin }, [bin]);
}

// decodeEmbedding reads the embedding from the worker's packed result
// (layout in playground/js/wire.js).
function decodeEmbedding(buf) {
  return decode(new Float32Array(buf)).embedding;
}

function frameResult(video, id) {
  return new Promise((resolve, reject) => {
    const onMsg = (ev) => {
      const m = ev.data;
      if (m.id !== id) return;
      worker.removeEventListener('message', onMsg);
      if (m.type === 'error') reject(new Error(m.message)); else resolve(m.buf);
    };
    worker.addEventListener('message', onMsg);
    const vf = new VideoFrame(video, { timestamp: Math.round(video.currentTime * 1e6) });
    worker.postMessage({ type: 'frame', id, frame: vf, opts: { pupils: true, chip: true, embed: true, still: true } }, [vf]);
  });
}

async function computeEmbedding() {
  state.camera = 'loading';
  $('camera').disabled = true;
  $('camera-note').textContent = 'Loading the face network (about 7 MB, once)…';
  let stream = null;
  try {
    await startWorker();
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }, audio: false });
    const v = $('video');
    v.srcObject = stream;
    v.hidden = false;
    await v.play();
    state.camera = 'on';
    $('camera-note').textContent = 'Look at the camera…';
    const sum = new Float64Array(128);
    let got = 0;
    for (let id = 1; got < SAMPLES && id < 200; id++) {
      const e = decodeEmbedding(await frameResult(v, id));
      if (e && e.length === 128) {
        for (let i = 0; i < 128; i++) sum[i] += e[i];
        got++;
        $('camera-note').textContent = `Computing… ${got}/${SAMPLES}`;
      }
    }
    if (got < SAMPLES) throw new Error('no face found; try more light, face the camera');
    setEmbedding(Array.from(sum, (x) => x / got));
    state.camera = 'done';
    $('camera-note').textContent = 'Done. The camera is off again. These numbers are still only on this device.';
  } catch (e) {
    state.camera = 'failed';
    $('camera-note').textContent = `Could not compute your numbers: ${e.message}`;
  } finally {
    if (stream) for (const t of stream.getTracks()) t.stop();
    $('video').hidden = true;
    $('video').srcObject = null;
    $('camera').disabled = false;
    $('camera').textContent = 'Compute my numbers again';
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
  $('share').addEventListener('click', () => {
    if (!embedding) return;
    // Six decimals: the numbers as computed, and small enough for the
    // server's message limit.
    client.send({ type: 'share', embedding: Array.from(embedding, (x) => Math.round(x * 1e6) / 1e6) });
  });
  $('withdraw').addEventListener('click', () => client.send({ type: 'withdraw' }));
  $('leave').addEventListener('click', () => {
    if (!client.send({ type: 'leave' })) finish('left');
  });
  // A reload within the resume window goes back in, consent unchanged.
  if (client.token) client.open({ type: 'resume', token: client.token });

  // TEST-ONLY HOOK. With ?test-hooks=1 in the address, tests can hand the
  // page an embedding in place of the camera (the face network lands in
  // the browser separately). It only fills the local numbers: sharing them
  // still takes a click on Share, exactly as for a real face.
  if (new URLSearchParams(location.search).get('test-hooks') === '1') {
    window.facewatchClassroomTest = Object.freeze({
      setEmbedding: (vec) => {
        if (!Array.isArray(vec) || vec.length !== 128 || !vec.every(Number.isFinite)) throw new Error('need 128 finite numbers');
        setEmbedding(vec);
      },
    });
  }
}

setup();

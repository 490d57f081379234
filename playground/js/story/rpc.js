// rpc.js — the story scenes' requests to the worker (wasm/internal/story via
// js/worker.js): JSON questions, and the faces of a still image.
let seq = 0;
const pending = new Map();
let bound = null;

function bind(worker) {
  if (bound === worker) return;
  bound = worker;
  worker.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m.type !== 'story' || !pending.has(m.id)) return;
    const { resolve, reject } = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) reject(new Error(m.error));
    else resolve(m);
  });
}

function post(worker, msg, transfer = []) {
  bind(worker);
  const id = ++seq;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...msg, id }, transfer);
  });
}

/** ask sends one JSON request ({op, …}) and resolves to the parsed answer. */
export async function ask(worker, req) {
  return (await askTimed(worker, req)).answer;
}

/** askTimed is ask that also gives the time the worker spent on it (ms, in the worker's clock). */
export async function askTimed(worker, req) {
  const m = await post(worker, { type: 'story', json: JSON.stringify(req) });
  return { answer: JSON.parse(m.json), ms: m.ms };
}

/**
 * loadStrangers hands the bundled stranger gallery (its manifest text and
 * vectors) to the worker once; it resolves to {n}. The vectors are copied.
 */
export async function loadStrangers(worker, manifest, vectors) {
  const m = await post(worker, { type: 'storyStrangers', manifest, vectors: vectors.slice(0) });
  return JSON.parse(m.json);
}

/**
 * facesIn sends an RGBA ImageData to the worker and resolves to the faces
 * found ({x, y, w, h, score, eyesFound, embedding}), largest first, each
 * with its 150x150 chip as ImageData. The pixels are transferred.
 */
export async function facesIn(worker, img) {
  const data = img.data.buffer;
  const m = await post(worker, { type: 'storyFaces', width: img.width, height: img.height, data }, [data]);
  const faces = JSON.parse(m.json) || [];
  const chips = new Uint8ClampedArray(m.chips);
  const n = 150 * 150 * 4;
  return faces.map((f, i) => ({ ...f, chip: new ImageData(chips.slice(i * n, (i + 1) * n), 150, 150) }));
}

const MAX_SIDE = 1280;
let canvas = null;

/** pixelsOf draws a source (video, canvas, ImageBitmap) scaled to at most MAX_SIDE into ImageData. */
export function pixelsOf(src, w, h) {
  const s = Math.min(1, MAX_SIDE / Math.max(w, h));
  const cw = Math.max(1, Math.round(w * s)), ch = Math.max(1, Math.round(h * s));
  if (!canvas) canvas = document.createElement('canvas');
  canvas.width = cw; canvas.height = ch;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  g.drawImage(src, 0, 0, cw, ch);
  return g.getImageData(0, 0, cw, ch);
}

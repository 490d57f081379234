// recogniser.js — a second worker running the same worker.wasm with the
// recognition network, so that computing a face's 128 numbers (40–90 ms)
// never holds up the frame worker, which stays at the camera's rate. It
// embeds the chips the frame worker hands out (re-identification in the
// Tracked scene, the 128 numbers of the find scene's step 6) and answers
// the story scenes' requests (js/story/rpc.js), whose faces need the same
// network. Nothing it is given leaves the page.
import { detector, call, combined, compileWasm } from './boot.js';
import { fetchBytes } from './net.js';
import { MODELS } from './manifest.js';

// The recogniser needs the face finder and the pupil locator (stills from
// the story scenes) and the network.
const FILES = [MODELS.faceFinder, MODELS.pupils, ...MODELS.embed];

let started = null;
let worker = null;
let seq = 0;
const pending = new Map();

/** recogniserWorker returns the recogniser's Worker once it runs, else null. */
export function recogniserWorker() { return started && worker && worker.ready ? worker : null; }

/**
 * startRecogniser starts the recogniser once (the downloads report
 * progress(loaded, total)) and resolves when the network is loaded.
 */
export function startRecogniser(progress = () => {}) {
  if (started) return started;
  started = (async () => {
    const w = new Worker('js/worker.js');
    w.addEventListener('message', (ev) => {
      const m = ev.data;
      if (m.type !== 'embedded' || !pending.has(m.id)) return;
      const { resolve, reject } = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) reject(new Error(m.error)); else resolve(new Float32Array(m.embedding));
    });
    const part = combined(FILES.length, progress);
    const files = Promise.all(FILES.map((f, i) => fetchBytes(f.path, part(i))));
    // The frame worker's compiled module is shared (compiled code is not
    // copied); where the page fell back to bytes, those went to the frame
    // worker, so compile again.
    let mod = await detector.wasm;
    if (!(mod instanceof WebAssembly.Module)) mod = await compileWasm(detector.wasmURL);
    await call(w, 'start', { wasm: mod }, mod instanceof ArrayBuffer ? [mod] : []);
    const bufs = await files;
    for (let i = 0; i < FILES.length; i++) await call(w, 'model', { name: FILES[i].name, bytes: bufs[i] }, [bufs[i]]);
    worker = w;
    w.ready = true;
  })();
  started.catch(() => { started = null; });
  return started;
}

/**
 * embedChip sends a 150x150 RGBA chip (an ArrayBuffer, transferred) to the
 * recogniser and resolves to its 128 numbers.
 */
export function embedChip(chip) {
  const w = recogniserWorker();
  if (!w) return Promise.reject(new Error('recogniser not started'));
  const id = ++seq;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ type: 'embedChip', id, chip }, [chip]);
  });
}

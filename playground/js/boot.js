// boot.js — starts the detector the moment the page starts: the worker
// (js/worker.js), worker.wasm compiled while it downloads, and the face
// finder cascade; on a link straight to the camera (?source=camera) it
// asks for the camera too. index.html loads this module on its own with
// `async`, so it runs as soon as it and net.js have arrived, without
// waiting for the page's other modules, the language files or the overlay;
// js/app.js imports the same instance. Every way into the playground needs
// the detector; nothing here waits for the pupil, landmark or recognition
// models. No DOM access: this may run while the page is still being parsed.
//
// The site may carry two builds of the worker (js/workers.js says which):
// worker.wasm compiled with Go's wasm SIMD kernels and worker-scalar.wasm
// without; a browser that cannot compile wasm SIMD gets the scalar one.
import { MODELS } from './manifest.js';
import { fetchBytes } from './net.js';
import { call, combined, compileWasm, workerBuild } from './workerlib.js';

export { call, combined, compileWasm, wasmSIMD, workerBuild } from './workerlib.js';

const listeners = new Set();
const progress = { loaded: 0, total: 0 };

/**
 * detector is the running worker: worker (the Worker, or null where
 * WebAssembly is missing), started (resolves once the face finder is
 * loaded in it), startMs and readyMs (performance.now() when boot began
 * and when started resolved, or null), build ('simd' or 'scalar': which
 * worker build runs), wasmURL (the file it came from) and wasm (the
 * promise of its compiled WebAssembly.Module, or of its bytes where
 * streaming compilation failed), so a second worker runs the same build.
 */
export const detector = { worker: null, started: null, startMs: null, readyMs: null, build: null, wasmURL: 'worker.wasm', wasm: null };

/** onProgress calls f(loaded, total) now and as the downloads progress. */
export function onProgress(f) {
  listeners.add(f);
  f(progress.loaded, progress.total);
}

function report(loaded, total) {
  progress.loaded = loaded;
  progress.total = total;
  for (const f of listeners) f(loaded, total);
}

/** boot starts the detector once and returns detector.started. */
export function boot() {
  if (detector.started) return detector.started;
  detector.startMs = Math.round(performance.now());
  performance.mark('facewatch:boot');
  if (typeof WebAssembly !== 'object' || typeof Worker !== 'function') {
    const e = new Error('WebAssembly or Web Workers are missing');
    e.code = 'noWasm';
    detector.started = Promise.reject(e);
    detector.started.catch(() => {}); // app.js reports it
    return detector.started;
  }
  Object.assign(detector, workerBuild());
  const w = new Worker('js/worker.js');
  detector.worker = w;
  const failed = new Promise((_, reject) => {
    w.addEventListener('error', (e) => reject(new Error(e.message || 'worker error')), { once: true });
  });
  const part = combined(2, report);
  // The wasm goes to the worker once compiled and the face finder once both
  // are here, without waiting for the worker's answer in between: the
  // worker handles messages in order ('start' is posted first, as the
  // compiled promise's first reaction), so Go runs before it sees a model.
  const compiled = compileWasm(detector.wasmURL, part(0));
  detector.wasm = compiled;
  const running = compiled.then((m) => {
    performance.mark('facewatch:wasm-compiled');
    // A compiled module is copied (the code is shared); bytes are moved.
    return call(w, 'start', { wasm: m }, m instanceof ArrayBuffer ? [m] : []);
  });
  const finder = Promise.all([compiled, fetchBytes(MODELS.faceFinder.path, part(1))])
    .then(([, ff]) => call(w, 'model', { name: MODELS.faceFinder.name, bytes: ff }, [ff]));
  detector.started = Promise.race([failed, Promise.all([running, finder]).then(() => {
    detector.readyMs = Math.round(performance.now());
    performance.mark('facewatch:worker-ready');
  })]);
  detector.started.catch(() => {}); // app.js reports it when it waits
  return detector.started;
}

/** openCamera asks for the front camera at 640x480, 30 frames a second. */
export function openCamera() {
  return navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 }, facingMode: 'user' },
    audio: false,
  });
}

/**
 * cameraOpening is openCamera's promise when the page was opened with
 * ?source=camera (the stream then opens while the page loads; the
 * permission prompt is the visitor's time), otherwise null.
 */
export let cameraOpening = null;

boot();
if (new URLSearchParams(location.search).get('source') === 'camera' && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
  cameraOpening = openCamera();
  cameraOpening.catch(() => {}); // app.js reports a refusal when it takes the stream
}

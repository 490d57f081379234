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
import { request, fetchBytes } from './net.js';
import { simdWorker } from './workers.js';

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

// The smallest module using a SIMD128 instruction: (func (result v128)
// i32.const 0 i8x16.splat i8x16.popcnt).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** wasmSIMD reports whether this browser compiles wasm SIMD128. */
export function wasmSIMD() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch (_) {
    return false;
  }
}

/**
 * workerBuild picks the worker build for this browser: the SIMD one where
 * the site has it and the browser compiles it, the scalar one otherwise.
 */
export function workerBuild(siteHasSIMD = simdWorker, browserHasSIMD = wasmSIMD()) {
  if (!siteHasSIMD) return { build: 'scalar', wasmURL: 'worker.wasm' };
  return browserHasSIMD ? { build: 'simd', wasmURL: 'worker.wasm' } : { build: 'scalar', wasmURL: 'worker-scalar.wasm' };
}

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

/**
 * combined splits one progress report among n downloads: it returns a
 * function giving the i-th download its own progress(loaded, total). The
 * total is 0 (unknown) until every download knows its own.
 */
export function combined(n, progress) {
  const loaded = new Array(n).fill(0), totals = new Array(n).fill(0);
  const sum = (l) => l.reduce((a, b) => a + b, 0);
  return (i) => (l, tot) => {
    loaded[i] = l; totals[i] = tot;
    progress(sum(loaded), totals.every((x) => x > 0) ? Math.max(sum(totals), sum(loaded)) : 0);
  };
}

/**
 * call sends the worker a 'start' or 'model' message and resolves when it
 * answers, or rejects with its error.
 */
export function call(w, type, payload, transfer = []) {
  return new Promise((resolve, reject) => {
    const onMsg = (ev) => {
      const m = ev.data;
      if (m.type === 'error' && m.id === undefined) { w.removeEventListener('message', onMsg); reject(new Error(m.message)); return; }
      if (type === 'start' && m.type === 'started') { w.removeEventListener('message', onMsg); resolve(); }
      if (type === 'model' && m.type === 'model' && m.name === payload.name) {
        w.removeEventListener('message', onMsg);
        if (m.error) reject(new Error(m.error)); else resolve();
      }
    };
    w.addEventListener('message', onMsg);
    w.postMessage({ type, ...payload }, transfer);
  });
}

/**
 * compileWasm compiles a wasm file while it downloads
 * (WebAssembly.compileStreaming) and resolves to the WebAssembly.Module,
 * which a worker can instantiate. The response itself is compiled, so the
 * browser may keep the compiled code for the next visit; a clone is read
 * only to count bytes for the progress bar. Where streaming is missing or
 * refused (a host sending the wrong Content-Type) it resolves to the file's
 * bytes instead, and the worker compiles those.
 */
export async function compileWasm(url, progress = () => {}) {
  if (typeof WebAssembly.compileStreaming === 'function') {
    let res = null;
    try {
      res = await request(url);
    } catch (_) { /* fetchBytes below reports the error */ }
    if (res && res.ok && res.body) {
      const total = res.headers.get('Content-Encoding') ? 0 : Number(res.headers.get('Content-Length')) || 0;
      const counting = (async () => {
        const reader = res.clone().body.getReader();
        let loaded = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          loaded += value.byteLength;
          progress(loaded, total);
        }
        progress(loaded, loaded);
      })();
      try {
        const mod = await WebAssembly.compileStreaming(res);
        await counting.catch(() => {});
        return mod;
      } catch (e) {
        if (e instanceof WebAssembly.CompileError) throw e;
        // A TypeError: not served as application/wasm. Download it plainly.
      }
    }
  }
  return fetchBytes(url, progress);
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
  const finder = Promise.all([compiled, fetchBytes('models/facefinder', part(1))])
    .then(([, ff]) => call(w, 'model', { name: 'facefinder', bytes: ff }, [ff]));
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

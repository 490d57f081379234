// workerlib.js — what every page that runs worker.wasm needs, without side
// effects: which build of the worker this browser gets (wasm SIMD or not),
// compiling it while it downloads, and the worker's start/model calls. The
// playground (js/boot.js, js/recogniser.js), the classroom's join and gate
// pages share it.
import { request, fetchBytes } from './net.js';
import { simdWorker } from './workers.js';

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

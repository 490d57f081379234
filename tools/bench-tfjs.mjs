// bench-tfjs.mjs — peer timings for facelib/embed: the same face chip through
// face-api's own FaceRecognitionNet (@vladmandic/face-api 1.7.15) on
// @tensorflow/tfjs 4.22.0, one thread, per backend:
//
//   cpu        tfjs's plain JavaScript backend
//   wasm-simd  @tensorflow/tfjs-backend-wasm 4.22.0, XNNPACK with WebAssembly SIMD
//   wasm       the same backend with SIMD turned off (WASM_HAS_SIMD_SUPPORT=false)
//
// Each backend runs in its own node process (the wasm backend picks its binary
// once per process), loads the committed weights (assets/models) and the
// wasm binaries from tools/node_modules (nothing is downloaded), does
// `warmup` untimed runs and then `runs` timed runs of computeFaceDescriptor on
// a prepared [150,150,3] tensor (the time includes reading the descriptor
// back, as a caller must).
//
// Usage:  node tools/bench-tfjs.mjs [--chip FILE.png] [--runs N] [--warmup N]
//                                   [--backends cpu,wasm-simd,wasm]
// Defaults: the first chip in assets/testdata/chips, 20 runs, 3 warm-up runs,
// all three backends. Progress goes to stderr; stdout is exactly one JSON
// document of this stable shape (times in milliseconds):
//
//   {
//     "tool": "tools/bench-tfjs.mjs",
//     "chip": "assets/testdata/chips/face-astronaut-0.png",
//     "node": "v20.20.2", "tfjs": "4.22.0", "face_api": "1.7.15",
//     "runs": 20, "warmup": 3, "threads": 1,
//     "results": [
//       {"backend": "cpu", "simd": false, "median_ms": 950.1, "min_ms": 901.2,
//        "max_ms": 1010.7, "runs": 20, "norm": 1.4518,
//        "max_abs_diff_vs_first": 0},
//       {"backend": "wasm-simd", "simd": true, ...},
//       {"backend": "wasm", "simd": false, ...}
//     ]
//   }
//
// max_abs_diff_vs_first compares each backend's descriptor with the first
// backend's. A backend that fails has "error": "message" instead of timings.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePNG } from './lib/png.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

function parseArgs(argv) {
  const o = { chip: '', runs: 20, warmup: 3, backends: ['cpu', 'wasm-simd', 'wasm'], child: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]; const v = argv[i + 1];
    if (a === '--chip') { o.chip = v; i++; } else if (a === '--runs') { o.runs = Number(v); i++; } else if (a === '--warmup') { o.warmup = Number(v); i++; } else if (a === '--backends') { o.backends = v.split(','); i++; } else if (a === '--child') { o.child = v; i++; } else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.runs >= 1) || !(o.warmup >= 0)) throw new Error('--runs must be ≥ 1 and --warmup ≥ 0');
  for (const b of o.backends) if (!['cpu', 'wasm-simd', 'wasm'].includes(b)) throw new Error(`unknown backend ${b}`);
  if (!o.chip) {
    const dir = join(root, 'assets/testdata/chips');
    const first = readdirSync(dir).filter((f) => f.endsWith('.png')).sort()[0];
    o.chip = join(dir, first);
  }
  o.chip = resolve(o.chip);
  return o;
}

// child: time one backend, print its result as JSON.
async function child(o) {
  const warn = console.warn; console.warn = () => {};
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const wasmBackend = require('@tensorflow/tfjs-backend-wasm');
  console.warn = warn;
  const { tf } = faceapi;
  const backend = o.child;
  if (backend === 'cpu') {
    await tf.setBackend('cpu');
  } else {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', backend === 'wasm-simd');
    wasmBackend.setThreadsCount(1);
    wasmBackend.setWasmPaths(join(root, 'tools/node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not initialise');
  }
  await tf.ready();
  const manifest = JSON.parse(readFileSync(join(root, 'assets/models/face_recognition_model-weights_manifest.json'), 'utf8'));
  const bin = readFileSync(join(root, 'assets/models/face_recognition_model.bin'));
  const weightMap = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), manifest.flatMap((g) => g.weights));
  const net = new faceapi.FaceRecognitionNet();
  net.loadFromWeightMap(weightMap);

  const img = decodePNG(readFileSync(o.chip));
  if (img.width !== 150 || img.height !== 150) throw new Error(`chip is ${img.width}x${img.height}, want 150x150`);
  const rgb = new Float32Array(150 * 150 * 3);
  for (let i = 0; i < 150 * 150; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = img.rgba[4 * i + c];
  const input = tf.tensor3d(rgb, [150, 150, 3], 'float32');

  let d;
  for (let i = 0; i < o.warmup; i++) d = await net.computeFaceDescriptor(input);
  const times = [];
  for (let i = 0; i < o.runs; i++) {
    const t0 = performance.now();
    d = await net.computeFaceDescriptor(input);
    times.push(performance.now() - t0);
    process.stderr.write(`\r${backend}: ${i + 1}/${o.runs}`);
  }
  process.stderr.write('\n');
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  const r3 = (x) => Math.round(x * 1000) / 1000;
  process.stdout.write(JSON.stringify({
    backend,
    simd: backend === 'wasm-simd',
    median_ms: r3(median),
    min_ms: r3(times[0]),
    max_ms: r3(times[times.length - 1]),
    runs: times.length,
    norm: Math.hypot(...d),
    descriptor: Array.from(d),
    tfjs: tf.version.tfjs,
  }));
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) return child(o);
  const results = [];
  let tfjs = '';
  let first = null;
  for (const b of o.backends) {
    const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', b, '--chip', o.chip,
      '--runs', String(o.runs), '--warmup', String(o.warmup)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    let r;
    try {
      r = JSON.parse(p.stdout);
    } catch {
      results.push({ backend: b, simd: b === 'wasm-simd', error: `exit ${p.status}: no result` });
      continue;
    }
    tfjs = r.tfjs;
    first = first || r.descriptor;
    let diff = 0;
    for (let j = 0; j < 128; j++) diff = Math.max(diff, Math.abs(r.descriptor[j] - first[j]));
    delete r.descriptor; delete r.tfjs;
    r.max_abs_diff_vs_first = diff;
    results.push(r);
  }
  const out = {
    tool: 'tools/bench-tfjs.mjs',
    chip: relative(root, o.chip),
    node: process.version,
    tfjs,
    face_api: require('@vladmandic/face-api/package.json').version,
    runs: o.runs,
    warmup: o.warmup,
    threads: 1,
    results,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });

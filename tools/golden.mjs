// golden.mjs — reference descriptors for facelib/embed's parity tests.
//
// Runs face-api's own FaceRecognitionNet (@vladmandic/face-api 1.7.15 on
// @tensorflow/tfjs 4.22.0, pinned in package-lock.json) with the committed
// weights (assets/models) on every PNG chip in assets/testdata/chips, on the
// tfjs `cpu` backend, and writes assets/testdata/chips/golden.json:
//
//   {
//     "generator": "tools/golden.mjs",
//     "face_api": "1.7.15", "tfjs": "4.22.0", "backend": "cpu",
//     "models_sha256": {"face_recognition_model.bin": "…", "…manifest.json": "…"},
//     "wasm_max_abs_diff": 1.8e-7,        // cpu vs wasm backend, all chips
//     "chips": [{"file": "astronaut.png", "sha256": "…", "norm": 1.29,
//                "descriptor": [128 numbers]}]
//   }
//
// Usage (from the repository root):  node tools/golden.mjs [chip directory]
// or regenerate chips and goldens together:  go run ./tools/mkchips && node tools/golden.mjs
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePNG } from './lib/png.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const chipDir = process.argv[2] || join(root, 'assets/testdata/chips');
const modelDir = join(root, 'assets/models');

// Keep tfjs quiet about tfjs-node.
const warn = console.warn; console.warn = () => {};
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm');
console.warn = warn;
const { tf } = faceapi;

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

export async function loadNet() {
  const manifest = JSON.parse(readFileSync(join(modelDir, 'face_recognition_model-weights_manifest.json'), 'utf8'));
  const bin = readFileSync(join(modelDir, 'face_recognition_model.bin'));
  const specs = manifest.flatMap((g) => g.weights);
  const weightMap = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), specs);
  const net = new faceapi.FaceRecognitionNet();
  net.loadFromWeightMap(weightMap);
  return net;
}

async function describe(net, rgba) {
  const rgb = new Float32Array(150 * 150 * 3);
  for (let i = 0; i < 150 * 150; i++) {
    rgb[3 * i] = rgba[4 * i]; rgb[3 * i + 1] = rgba[4 * i + 1]; rgb[3 * i + 2] = rgba[4 * i + 2];
  }
  const t = tf.tensor3d(rgb, [150, 150, 3], 'float32');
  const d = await net.computeFaceDescriptor(t);
  t.dispose();
  return Array.from(d);
}

async function main() {
  const files = readdirSync(chipDir).filter((f) => f.endsWith('.png')).sort();
  if (files.length === 0) throw new Error(`no chips in ${chipDir}`);
  const chips = files.map((file) => {
    const buf = readFileSync(join(chipDir, file));
    const img = decodePNG(buf);
    if (img.width !== 150 || img.height !== 150) throw new Error(`${file}: ${img.width}x${img.height}, want 150x150`);
    return { file, sha256: sha256(buf), rgba: img.rgba };
  });

  await tf.setBackend('cpu'); await tf.ready();
  let net = await loadNet();
  const cpu = [];
  for (const c of chips) cpu.push(await describe(net, c.rgba));

  setWasmPaths(join(root, 'tools/node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  await tf.setBackend('wasm'); await tf.ready();
  net = await loadNet();
  let wasmDiff = 0;
  for (let i = 0; i < chips.length; i++) {
    const w = await describe(net, chips[i].rgba);
    for (let j = 0; j < 128; j++) wasmDiff = Math.max(wasmDiff, Math.abs(w[j] - cpu[i][j]));
  }

  const out = {
    generator: 'tools/golden.mjs',
    face_api: require('@vladmandic/face-api/package.json').version,
    tfjs: tf.version.tfjs,
    backend: 'cpu',
    models_sha256: {
      'face_recognition_model.bin': sha256(readFileSync(join(modelDir, 'face_recognition_model.bin'))),
      'face_recognition_model-weights_manifest.json': sha256(readFileSync(join(modelDir, 'face_recognition_model-weights_manifest.json'))),
    },
    wasm_max_abs_diff: wasmDiff,
    chips: chips.map((c, i) => ({
      file: c.file,
      sha256: c.sha256,
      norm: Math.hypot(...cpu[i]),
      descriptor: cpu[i],
    })),
  };
  const text = JSON.stringify(out, null, 1).replace(/\[\n\s+([-\d.e,\s]+?)\n\s*\]/g, (m, body) => `[${body.replace(/\s+/g, ' ')}]`);
  writeFileSync(join(chipDir, 'golden.json'), text + '\n');
  console.log(`wrote ${chips.length} golden descriptors to ${relative(process.cwd(), join(chipDir, 'golden.json'))} (cpu vs wasm max |Δ| ${wasmDiff.toExponential(2)})`);
}

main().catch((e) => { console.error(e); process.exit(1); });

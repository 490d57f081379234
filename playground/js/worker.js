// worker.js — runs worker.wasm (wasm/worker) in a Web Worker. The page
// sends in the wasm (a WebAssembly.Module it compiled while downloading, or
// the file's bytes) and the model bytes, then one frame at a time; every
// result goes back as a transferred Float32Array (layout: js/wire.js).
/* global Go, fwLoad, fwProcess, fwError, fwRead, fwChip, fwClose, fwStory, fwStoryFaces, fwStoryChips, fwStoryStrangers, fwEmbedChip, fwObserve */
'use strict';
importScripts('../wasm_exec.js');

// Option bits, mirrored in wasm/worker/main.go.
const OPT = { candidates: 1, pupils: 2, landmarks: 4, chip: 8, track: 16, still: 32, embed: 64, reid: 128, guided: 256, rolled: 512 };
const FMT_GRAY = 0, FMT_RGBA = 1, FMT_BGRA = 2;
const CHIP_BYTES = 150 * 150 * 4;
const YUV = new Set(['I420', 'I420A', 'I422', 'I422A', 'I444', 'I444A', 'NV12']);

let started = false;
let pixels = new Uint8Array(0);
let canvas = null, ctx = null;
let rgbaCopy = true; // VideoFrame.copyTo(…, {format: 'RGBA'}) works here

function ensure(n) {
  if (pixels.byteLength < n) pixels = new Uint8Array(n);
  return pixels;
}

function optionBits(o) {
  let bits = 0;
  for (const k in OPT) if (o && o[k]) bits |= OPT[k];
  return bits;
}

async function start(wasm) {
  const go = new Go();
  // instantiate(Module) resolves to the Instance; instantiate(bytes) to
  // {module, instance}.
  const r = await WebAssembly.instantiate(wasm, go.importObject);
  go.run(r instanceof WebAssembly.Instance ? r : r.instance); // returns once main blocks, with the fw* functions installed
  started = true;
}

// grab copies a frame's pixels into `pixels` and returns [format, w, h].
// The Y plane is all detection and tracking need; when the frame's face chip
// is wanted (find scene, steps 5 and 6) the browser converts it to RGBA so
// the chip, and the 128 numbers computed from it, are in colour.
async function grabVideoFrame(vf, colour) {
  const w = vf.visibleRect.width, h = vf.visibleRect.height;
  const f = vf.format;
  if (YUV.has(f) && !colour) {
    await vf.copyTo(ensure(vf.allocationSize()));
    return [FMT_GRAY, w, h]; // the Y plane comes first, tightly packed
  }
  if (f === 'RGBA' || f === 'RGBX' || f === 'BGRA' || f === 'BGRX') {
    await vf.copyTo(ensure(vf.allocationSize()));
    return [f[0] === 'R' ? FMT_RGBA : FMT_BGRA, w, h];
  }
  if (colour && rgbaCopy) {
    // Newer browsers convert to RGBA in copyTo itself.
    try {
      const opts = { format: 'RGBA' };
      await vf.copyTo(ensure(vf.allocationSize(opts)), opts);
      return [FMT_RGBA, w, h];
    } catch (_) {
      rgbaCopy = false; // not supported here: use a canvas from now on
    }
  }
  // Colour wanted from a YUV frame, or an unknown or opaque format: let the
  // browser convert.
  if (!canvas || canvas.width !== w || canvas.height !== h) {
    canvas = new OffscreenCanvas(w, h);
    ctx = canvas.getContext('2d', { willReadFrequently: true });
  }
  ctx.drawImage(vf, 0, 0, w, h);
  ensure(w * h * 4).set(ctx.getImageData(0, 0, w, h).data);
  return [FMT_RGBA, w, h];
}

function process(fmt, w, h, opts, grabMs, id) {
  const bpp = fmt === FMT_GRAY ? 1 : 4;
  const n = fwProcess(fmt, w, h, pixels.subarray(0, w * h * bpp), optionBits(opts), grabMs);
  if (n < 0) {
    postMessage({ type: 'error', id, message: fwError() });
    return;
  }
  const out = new Uint8Array(n);
  fwRead(out);
  const msg = { type: 'result', id, buf: out.buffer };
  const transfer = [out.buffer];
  if (opts && (opts.chip || opts.reid)) {
    const chip = new Uint8ClampedArray(CHIP_BYTES);
    if (fwChip(chip)) {
      msg.chip = chip.buffer;
      transfer.push(chip.buffer);
    }
  }
  postMessage(msg, transfer);
}

// story answers the story scenes' requests (wasm/internal/story) with
// {type: 'story', id, json} or {type: 'story', id, error}: never a frame
// 'error', which the live scenes would report as a failure.
function story(m) {
  try {
    if (!started) return { type: 'story', id: m.id, error: 'not started' };
    let r;
    const t0 = performance.now();
    if (m.type === 'story') {
      r = fwStory(m.json);
      if (r.json) return { type: 'story', id: m.id, json: r.json, ms: performance.now() - t0 };
    }
    else if (m.type === 'storyStrangers') r = fwStoryStrangers(m.manifest, new Uint8Array(m.vectors));
    else {
      const px = new Uint8Array(m.data);
      r = fwStoryFaces(m.width, m.height, px);
      if (r.json) {
        const faces = JSON.parse(r.json) || [];
        const chips = new Uint8ClampedArray(faces.length * CHIP_BYTES);
        if (faces.length) fwStoryChips(chips);
        return { type: 'story', id: m.id, json: r.json, chips: chips.buffer };
      }
    }
    return r.error ? { type: 'story', id: m.id, error: r.error } : { type: 'story', id: m.id, json: r.json };
  } catch (e) {
    return { type: 'story', id: m.id, error: String(e && e.message || e) };
  }
}

// Messages are handled strictly in order: a model must not reach Go before
// the wasm has started, even though starting is asynchronous.
let queue = Promise.resolve();
onmessage = (ev) => { queue = queue.then(() => handle(ev.data)); };

async function handle(m) {
  try {
    switch (m.type) {
      case 'start':
        await start(m.wasm);
        postMessage({ type: 'started' });
        break;
      case 'model': {
        const err = fwLoad(m.name, new Uint8Array(m.bytes));
        postMessage({ type: 'model', name: m.name, error: err || null });
        break;
      }
      case 'frame': {
        const t0 = performance.now();
        let fmt, w, h;
        try {
          [fmt, w, h] = await grabVideoFrame(m.frame, !!(m.opts && m.opts.chip));
        } finally {
          m.frame.close();
        }
        process(fmt, w, h, m.opts, performance.now() - t0, m.id);
        break;
      }
      case 'image': {
        const t0 = performance.now();
        ensure(m.width * m.height * 4).set(new Uint8Array(m.data));
        process(FMT_RGBA, m.width, m.height, m.opts, performance.now() - t0, m.id);
        break;
      }
      case 'embedChip': { // the recogniser: a frame worker's chip → its 128 numbers
        const out = new Float32Array(128);
        const err = fwEmbedChip(new Uint8Array(m.chip), new Uint8Array(out.buffer)); // Go copies bytes only
        postMessage(err ? { type: 'embedded', id: m.id, error: err } : { type: 'embedded', id: m.id, embedding: out.buffer }, err ? [] : [out.buffer]);
        break;
      }
      case 'observe': // the frame worker: the numbers of a chip it handed out
        fwObserve(m.key, new Uint8Array(m.embedding)); // the 128 float32s as bytes; a stale key (the face has gone) is not an error
        break;
      case 'story': // the story scenes (js/story/): JSON in, JSON out
      case 'storyFaces':
      case 'storyStrangers': // the bundled stranger gallery, sent once when the visitor asks
        postMessage(story(m));
        break;
      case 'close':
        if (started) fwClose();
        close();
        break;
    }
  } catch (e) {
    if (m && m.frame && typeof m.frame.close === 'function') { try { m.frame.close(); } catch (_) { /* already closed */ } }
    postMessage({ type: 'error', id: m && m.id, message: String(e && e.message || e) });
  }
}

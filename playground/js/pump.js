// pump.js — the frame pump (one frame in flight at most), what each frame
// asks the worker for, and what the page does with each result.
import { MODELS } from './manifest.js';
import { t } from './i18n.js';
import { reidReady } from './models.js';
import { OVERLAY_AFTER_MS, drawBoxes, loadOverlay, wakeOverlay } from './overlayhost.js';
import { $, STEPS, fail, hook, reducedMotion, state } from './page.js';
import { drawChip, embedStep6, reidChip, updateTimings, updateTrackScene } from './scenes.js';
import { STORY_SCENES } from './story/story.js';
import { CONFIRMED, FLAG_CHIP, FLAG_STILL, decode } from './wire.js';

// ---------- what each frame asks for ----------

export function frameOptions() {
  // The Tracked scene lets the tracker guide the detector and follows
  // rolled heads; the find scene shows the full, upright sweep.
  if (hook.scene === 'track') return { track: true, guided: state.guided, rolled: true, reid: reidReady() };
  if (STORY_SCENES.includes(hook.scene)) return {}; // boxes only: the story scenes ask the worker for more themselves
  const align = state.models.has(MODELS.pupils.name);
  const o = {};
  if (state.step <= 3) o.candidates = true; // step 1 lights up accepted windows as the sweep passes them
  if (state.step >= 4 && align) { o.pupils = true; o.landmarks = state.models.has('lp38'); }
  // The chip (and, at step 6, its 128 numbers) twice a second: a
  // chip needs the frame in colour, which costs the worker more than the
  // grey plane detection reads, and the picture changes slowly.
  const now = performance.now();
  if (state.step >= 5 && align && (state.frozen || state.photo || now - (state.lastChipAt || 0) >= CHIP_EVERY_MS)) {
    o.chip = true;
    state.lastChipAt = now;
  }
  return o;
}

// CHIP_EVERY_MS spaces the live frames that carry the face chip.
export const CHIP_EVERY_MS = 500;

// ---------- frame pump: one frame in flight at most ----------

export function pump() {
  if (!state.running) return;
  const v = $('video');
  if ('requestVideoFrameCallback' in v) v.requestVideoFrameCallback(onVideoFrame);
  else requestAnimationFrame(onVideoFrame);
}

export function onVideoFrame() {
  if (!state.running) return;
  if (!state.busy && !state.frozen && $('video').readyState >= 2) sendVideoFrame();
  pump();
}

export function sendVideoFrame() {
  const v = $('video');
  if (typeof VideoFrame === 'function') {
    let vf;
    try {
      vf = new VideoFrame(v, { timestamp: Math.round(v.currentTime * 1e6) });
    } catch (_) {
      return; // no frame decoded yet
    }
    state.busy = true;
    if (state.frameId === 0) performance.mark('facewatch:first-frame-sent');
    state.worker.postMessage({ type: 'frame', id: ++state.frameId, frame: vf, opts: frameOptions() }, [vf]);
    return;
  }
  sendImage(v, v.videoWidth, v.videoHeight, frameOptions());
}

export let grabCanvas = null;
export function sendImage(src, w, h, opts) {
  if (!w || !h) return;
  if (!grabCanvas) grabCanvas = document.createElement('canvas');
  if (grabCanvas.width !== w || grabCanvas.height !== h) { grabCanvas.width = w; grabCanvas.height = h; }
  const g = grabCanvas.getContext('2d', { willReadFrequently: true });
  g.drawImage(src, 0, 0, w, h);
  const data = g.getImageData(0, 0, w, h).data.buffer;
  state.busy = true;
  state.worker.postMessage({ type: 'image', id: ++state.frameId, width: w, height: h, data, opts }, [data]);
}

// processStill runs the pipeline once on the photo or the frozen frame, in
// colour (so the chip is in colour).
export function processStill() {
  if (!hook.ready) return;
  if (state.busy) { state.stillPending = true; return; }
  const opts = { ...frameOptions(), still: true, track: false };
  if (state.photo) sendImage($('photo'), $('photo').width, $('photo').height, opts);
  else if (state.frozen) sendImage($('video'), $('video').videoWidth, $('video').videoHeight, opts);
}

// ---------- results ----------

export function onWorkerMessage(ev) {
  const m = ev.data;
  if (m.type === 'result') {
    state.busy = false;
    onResult(new Float32Array(m.buf), m.chip ? new Uint8ClampedArray(m.chip) : null);
    if (state.stillPending) { state.stillPending = false; processStill(); }
  } else if (m.type === 'error' && m.id !== undefined) {
    state.busy = false;
    fail(t('error.worker', { error: m.message }));
  }
}

export function onResult(buf, chip) {
  const r = decode(buf);
  const now = performance.now();
  state.last = r;
  hook.frames++;
  state.resultTimes.push(now);
  while (state.resultTimes.length && state.resultTimes[0] < now - 1000) state.resultTimes.shift();
  hook.fps = state.resultTimes.length;
  hook.faces = r.faces.map((f) => ({ x: f.x, y: f.y, w: f.w, h: f.h, score: f.score }));
  hook.tracks = r.tracks.filter((tr) => tr.state === CONFIRMED)
    .map((tr) => ({ id: tr.id, x: tr.x, y: tr.y, w: tr.w, h: tr.h, state: 'confirmed', age: tr.age, recall: tr.recall || null }));
  const k = hook.frames === 1 ? 1 : 0.1;
  for (const key in hook.timings) hook.timings[key] += k * (r.timings[key] - hook.timings[key]);
  if (hook.firstFrameMs === null) {
    hook.firstFrameMs = Math.round(now);
    performance.mark('facewatch:first-frame');
  }
  if (hook.firstFaceMs === null && r.faces.length > 0) hook.firstFaceMs = Math.round(now);
  announceFaces(r.faces.length, now);
  // The overlay starts once the first face is shown (or a second after
  // the first frame when there is none, or for a still): its start-up
  // blocks the page for a moment and must not delay the first box.
  if (hook.firstFaceMs !== null || now - hook.firstFrameMs > OVERLAY_AFTER_MS || state.photo || state.frozen) loadOverlay();
  if (hook.overlayReadyMs === null) drawBoxes(r);

  window.facewatchFrame = {
    seq: hook.frames,
    bytes: new Uint8Array(buf.buffer),
    scene: hook.scene === 'track' ? 2 : 1,
    step: state.step,
    stepStart: state.stepStart,
    reduced: reducedMotion.matches,
    mirror: state.mirror,
    displayScale: r.width ? $('stage').getBoundingClientRect().width / r.width : 1,
  };
  wakeOverlay();
  if (chip && r.flags & FLAG_CHIP) {
    if (r.chipKey) reidChip(r.chipKey, chip);
    else {
      drawChip(chip);
      if (hook.scene === 'find' && state.step === STEPS) embedStep6(chip, r.flags & FLAG_STILL);
    }
  }
  if (hook.scene === 'track') updateTrackScene(r, now);
  updateTimings();
}

// announceFaces tells screen readers how many faces are found, when the
// number has been steady for a moment (not on every frame).
export function announceFaces(n, now) {
  if (n !== state.faceCount) { state.faceCount = n; state.faceCountSince = now; return; }
  if (n === state.announced || now - state.faceCountSince < 1000) return;
  state.announced = n;
  $('sr-status').textContent = t('status.faces', { n });
}

// models.js — the models the page fetches when a step needs them: the
// detector's (js/boot.js), the pupil and landmark cascades into the frame
// worker, and the recognition network into the recogniser (js/recogniser.js).
import { MODELS } from './manifest.js';
import { boot as bootDetector, call as callWorker, combined, detector, onProgress } from './boot.js';
import { t } from './i18n.js';
import { fetchBytes } from './net.js';
import { $, STEPS, fail, hook, state } from './page.js';
import { onWorkerMessage, processStill } from './pump.js';
import { startRecogniser } from './recogniser.js';

// ---------- loading ----------

export function showProgress(loaded, total) {
  state.progress = [loaded, total]; // shown again when the language changes
  const kb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  $('load-progress').max = total || 1;
  $('load-progress').value = total ? loaded : 0;
  if (!total) $('load-progress').removeAttribute('value');
  $('load-text').textContent = total ? t('load.progress', { loaded: kb(loaded), total: kb(total) }) : t('load.progressUnknown', { loaded: kb(loaded) });
}

// fetchAll downloads several files with one combined progress report.
export async function fetchAll(urls, progress) {
  const part = combined(urls.length, progress);
  return Promise.all(urls.map((u, i) => fetchBytes(u, part(i))));
}

export function call(type, payload, transfer = []) {
  return callWorker(state.worker, type, payload, transfer);
}

// boot attaches the page to the detector js/boot.js started when the page
// began loading (see there) and resolves once it runs.
export function boot() {
  if (state.started) return state.started;
  state.worker = detector.worker;
  if (state.worker) {
    state.worker.addEventListener('message', onWorkerMessage);
    state.worker.addEventListener('error', (e) => fail(t('error.worker', { error: e.message || 'error' })));
  }
  onProgress(showProgress);
  state.started = bootDetector().then(() => {
    state.models.add(MODELS.faceFinder.name);
    state.bootDone = true;
    hook.workerReadyMs = detector.readyMs;
  }, (e) => {
    throw e.code === 'noWasm' ? new Error(t('error.noWasm')) : e;
  });
  state.started.catch(() => {}); // reported by main() once the words are loaded
  return state.started;
}

// loadAlign fetches the pupil and landmark cascades the first time a step
// needs them (about 7.8 MB: not worth it for the tracking scene).
export function loadAlign() {
  if (state.alignLoading) return state.alignLoading;
  $('models-note').hidden = false;
  const files = [MODELS.pupils, ...MODELS.landmarks];
  const names = files.map((f) => f.name);
  const urls = files.map((f) => f.path);
  state.alignLoading = (async () => {
    const booted = boot();
    const bufs = await fetchAll(urls, (l, tot) => {
      $('models-note').textContent = t('load.models') + ' ' + (tot ? `${Math.round((100 * l) / tot)}%` : '');
    });
    await booted;
    for (let i = 0; i < names.length; i++) {
      await call('model', { name: names[i], bytes: bufs[i] }, [bufs[i]]);
      state.models.add(names[i]);
    }
    $('models-note').hidden = true;
    if (state.frozen || state.photo) processStill();
  })().catch((e) => { state.alignLoading = null; fail(t('load.failed', { error: e.message })); });
  return state.alignLoading;
}

// loadEmbed starts the recogniser (js/recogniser.js: a second worker with
// the recognition network, 6.4 MB) the first time step 6, the Tracked
// scene's re-identification or a story scene needs it, never before.
export const EMBED_FILES = MODELS.embed.map((f) => f.name);
export function loadEmbed() {
  if (state.embedLoading) return state.embedLoading;
  const note = $('embed-pending');
  const progress = (l, tot) => {
    const p = tot ? `${Math.round((100 * l) / tot)}%` : `${(l / 1048576).toFixed(1)} MB`;
    note.textContent = t('find.s6.loading', { p });
    if (hook.scene === 'track' && state.reid) $('reid-status').textContent = t('track.reidLoading', { p });
  };
  state.embedLoading = (async () => {
    await boot();
    await startRecogniser(progress);
    state.models.add(EMBED_FILES[1]);
    note.textContent = t('find.s6.pending');
    $('embed-box').hidden = state.step !== STEPS;
    showReidStatus();
    if (state.frozen || state.photo) processStill();
  })().catch((e) => { state.embedLoading = null; fail(t('load.failed', { error: e.message })); });
  return state.embedLoading;
}

// loadPupils fetches the pupil cascade alone into the frame worker: enough
// for the Tracked scene to cut the chips re-identification needs.
export function loadPupils() {
  if (state.models.has(MODELS.pupils.name)) return Promise.resolve();
  if (state.alignLoading) return state.alignLoading;
  if (state.pupilsLoading) return state.pupilsLoading;
  state.pupilsLoading = (async () => {
    const booted = boot();
    const [buf] = await fetchAll([MODELS.pupils.path], () => {});
    await booted;
    await call('model', { name: MODELS.pupils.name, bytes: buf }, [buf]);
    state.models.add(MODELS.pupils.name);
  })().catch((e) => { state.pupilsLoading = null; fail(t('load.failed', { error: e.message })); });
  return state.pupilsLoading;
}

// startReid loads what re-identification needs once the Tracked scene shows
// with the switch on.
export function startReid() {
  if (hook.scene !== 'track' || !state.reid) return;
  loadPupils();
  loadEmbed();
}

export function showReidStatus() {
  const el = $('reid-status');
  if (!el) return;
  if (!state.reid) el.textContent = t('track.reidOff');
  else if (state.models.has(EMBED_FILES[1])) el.textContent = t('track.reidOn');
}

export function reidReady() {
  return state.reid && state.models.has(MODELS.pupils.name) && state.models.has(EMBED_FILES[1]);
}

// sources.js — the camera, the sample clip and a picked file, and entering
// the playing view.
import { openCamera } from './boot.js';
import { t } from './i18n.js';
import { loadAlign } from './models.js';
import { clearBoxes, layoutOverlay, wakeOverlay } from './overlayhost.js';
import { $, fail, hook, state } from './page.js';
import { processStill, pump } from './pump.js';
import { focusScene, setFrozen } from './scenes.js';
import { cameraBlocker, cameraFailure } from './secure.js';

// ---------- sources ----------

// useCamera shows the camera; opening is js/boot.js's promise when the
// camera was asked for while the page loaded (?source=camera).
export async function useCamera(opening) {
  const blocked = cameraBlocker();
  if (blocked) return useClip(blocked === 'insecure' ? 'source.noCameraInsecure' : 'source.noCamera');
  try {
    const stream = await (opening || openCamera());
    stopSource();
    const v = $('video');
    v.srcObject = stream;
    state.mirror = true;
    await startVideo('camera', 'source.camera');
  } catch (e) {
    return useClip(cameraFailure(e) === 'denied' ? 'source.noCameraDenied' : 'source.noCamera');
  }
}

export async function useClip(key = 'source.clip') {
  stopSource();
  const v = $('video');
  v.src = 'media/sample.webm';
  v.loop = true;
  state.mirror = false;
  try {
    await startVideo('clip', key);
  } catch (e) {
    setNote('source.clipMissing');
    hook.source = 'none';
  }
}

export async function useFile(file) {
  if (!file) return;
  stopSource();
  state.mirror = false;
  const noteVars = { name: file.name };
  if (file.type.startsWith('video/')) {
    state.objectURL = URL.createObjectURL(file);
    $('video').src = state.objectURL;
    $('video').loop = true;
    await startVideo('file', 'source.file', noteVars);
    return;
  }
  const bmp = await createImageBitmap(file);
  const c = $('photo');
  const scale = Math.min(1, 1280 / Math.max(bmp.width, bmp.height));
  c.width = Math.round(bmp.width * scale);
  c.height = Math.round(bmp.height * scale);
  c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
  bmp.close();
  $('video').hidden = true;
  c.hidden = false;
  state.photo = true;
  hook.source = 'file';
  setNote('source.file', noteVars);
  await enterPlay(c.width, c.height);
  processStill();
}

export let noteKey = null, noteVars = {};
export function setNote(key, vars = {}) {
  noteKey = key; noteVars = vars;
  $('source-note').textContent = t(key, vars);
}

export async function startVideo(source, key, vars) {
  const v = $('video');
  v.hidden = false;
  $('photo').hidden = true;
  state.photo = false;
  await new Promise((resolve, reject) => {
    if (v.readyState >= 1) return resolve();
    v.addEventListener('loadedmetadata', resolve, { once: true });
    v.addEventListener('error', () => reject(new Error('media error')), { once: true });
  });
  await v.play();
  performance.mark('facewatch:source-playing');
  hook.source = source;
  setNote(key, vars);
  await enterPlay(v.videoWidth, v.videoHeight);
  state.running = true;
  pump();
}

export function stopSource() {
  state.running = false;
  const v = $('video');
  if (v.srcObject) { for (const tr of v.srcObject.getTracks()) tr.stop(); v.srcObject = null; }
  v.removeAttribute('src');
  v.load();
  if (state.objectURL) { URL.revokeObjectURL(state.objectURL); state.objectURL = null; }
  setFrozen(false, true);
  state.photo = false;
  hook.source = 'none';
  hook.faces = [];
  hook.tracks = [];
  state.timeline.clear();
  state.announced = undefined;
  window.facewatchFrame = null;
  clearBoxes();
  wakeOverlay();
}

export async function enterPlay(w, h) {
  $('start').hidden = true;
  $('loading').hidden = state.bootDone;
  try {
    await state.started;
  } catch (e) {
    fail(t('load.failed', { error: e.message }));
    throw e;
  }
  $('loading').hidden = true;
  $('play').hidden = false;
  $('stage').style.aspectRatio = `${w} / ${h}`;
  $('video').classList.toggle('mirror', state.mirror);
  hook.ready = true;
  $('btn-freeze').hidden = state.photo; // a photo is still already
  layoutOverlay();
  if (hook.scene === 'find' && state.step >= 4) loadAlign();
  focusScene();
}

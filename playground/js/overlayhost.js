// overlayhost.js — hosting the ebiten overlay (overlay.html): starting it
// after the first face, the plain boxes drawn until it runs, its placement
// and the state it reads between results.
import { $, hook, reducedMotion, state } from './page.js';
import { STORY_SCENES } from './story/story.js';

// ---------- overlay start-up and the boxes drawn until it is ready ----------

export const OVERLAY_AFTER_MS = 1000;

// loadOverlay starts the ebiten overlay (overlay.html, 12 MB of wasm) once.
// Go's start-up there (runtime, ebiten's shader compiler, WebGL set-up) is
// one long task on this page's main thread, so it comes after the first
// face box, not before.
export function loadOverlay() {
  const f = $('overlay');
  if (!f || state.overlayLoading) return;
  state.overlayLoading = true;
  hook.overlayLoadMs = Math.round(performance.now());
  f.src = 'overlay.html';
}

// The overlay calls this from its first Update (wasm/overlay).
window.facewatchOverlayReady = () => {
  if (hook.overlayReadyMs !== null) return;
  hook.overlayReadyMs = Math.round(performance.now());
  const c = $('boxes');
  c.getContext('2d').clearRect(0, 0, c.width, c.height);
  c.hidden = true;
};

// drawBoxes draws the faces' boxes on a plain 2D canvas while the overlay
// is not running yet (or is turned off with ?overlay=off), so the first
// face is seen as soon as it is found.
export function drawBoxes(r) {
  const c = $('boxes');
  const show = !STORY_SCENES.includes(hook.scene) && r.width > 0;
  c.hidden = !show;
  if (!show) return;
  if (c.width !== r.width || c.height !== r.height) { c.width = r.width; c.height = r.height; }
  c.classList.toggle('mirror', state.mirror);
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  g.strokeStyle = '#ffcc00';
  g.lineWidth = Math.max(2, r.width / 240);
  for (const f of r.faces) g.strokeRect(f.x, f.y, f.w, f.h);
}

export function clearBoxes() {
  const c = $('boxes');
  c.getContext('2d').clearRect(0, 0, c.width, c.height);
}

export function wakeOverlay() {
  const f = $('overlay');
  const w = f && f.contentWindow;
  if (w && typeof w.fwWake === 'function') w.fwWake();
}

// The overlay also reads scene and step between results (e.g. when frozen).
export function refreshOverlayState() {
  if (window.facewatchFrame) {
    Object.assign(window.facewatchFrame, {
      scene: hook.scene === 'track' ? 2 : 1, step: state.step, stepStart: state.stepStart,
      reduced: reducedMotion.matches, mirror: state.mirror,
    });
  }
  wakeOverlay();
}

// ---------- overlay placement ----------

// The overlay iframe renders at reduced resolution and is scaled up by CSS:
// ebiten's cost grows with its canvas, and boxes do not need full resolution.
export function layoutOverlay() {
  const stage = $('stage');
  const f = $('overlay');
  const rect = stage.getBoundingClientRect();
  if (!f || !rect.width) return;
  const q = rect.width > 480 ? 0.5 : 1;
  const w = Math.round(rect.width * q), h = Math.round(rect.height * q);
  if (f.width !== String(w)) f.width = String(w);
  if (f.height !== String(h)) f.height = String(h);
  f.style.width = `${w}px`;
  f.style.height = `${h}px`;
  f.style.transform = `scale(${rect.width / w}, ${rect.height / h})`;
}

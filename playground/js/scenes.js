// scenes.js — the find and Tracked scenes: steps, the chip and its 128
// numbers, re-identification's chips, the track list and the timeline.
import { t } from './i18n.js';
import { EMBED_FILES, loadAlign, loadEmbed, startReid } from './models.js';
import { refreshOverlayState } from './overlayhost.js';
import { $, PLAY_STEP_MS, STEPS, hook, state } from './page.js';
import { processStill } from './pump.js';
import { embedChip, recogniserWorker } from './recogniser.js';
import { STORY_SCENES, showStory } from './story/story.js';
import { CONFIRMED } from './wire.js';

// reidChip sends a track's chip to the recogniser and its numbers back to
// the frame worker, one chip at a time: the rate is bounded by the
// recogniser, and a chip that comes while it is busy is dropped (the
// tracker asks again).
export function reidChip(key, chip) {
  if (state.embedBusy || !recogniserWorker()) return;
  state.embedBusy = true;
  embedChip(chip.buffer).then((emb) => {
    hook.embedded++;
    state.worker.postMessage({ type: 'observe', key, embedding: emb.buffer }, [emb.buffer]);
  }, () => {}).finally(() => { state.embedBusy = false; });
}

// embedStep6 computes step 6's 128 numbers in the recogniser once
// a second (a still once), so the step keeps the camera's frame rate.
export const STEP6_EVERY_MS = 1000;
export function embedStep6(chip, still) {
  const now = performance.now();
  if (state.embedBusy || !recogniserWorker() || (!still && now - state.lastEmbedAt < STEP6_EVERY_MS)) return;
  state.embedBusy = true;
  state.lastEmbedAt = now;
  embedChip(chip.slice().buffer).then((emb) => {
    state.embedding = emb;
    if (hook.scene === 'find' && state.step === STEPS) drawEmbedding(emb);
  }, () => {}).finally(() => { state.embedBusy = false; });
}

export function drawChip(chip) {
  const c = $('chip');
  c.getContext('2d').putImageData(new ImageData(chip, 150, 150), 0, 0);
  $('chip-caption').textContent = t('find.chip');
  state.hasChip = true;
}

// drawEmbedding shows the 128 numbers as a strip of cells: blue below zero,
// orange above, brighter for larger magnitudes.
export function drawEmbedding(d) {
  const c = $('embed-strip');
  const g = c.getContext('2d');
  const caption = $('embed-box').querySelector('figcaption');
  if (!d) { caption.textContent = t('find.embedWait'); return; }
  caption.textContent = t('find.embedStrip');
  const w = c.width / d.length;
  let maxAbs = 1e-6;
  for (const v of d) maxAbs = Math.max(maxAbs, Math.abs(v));
  g.clearRect(0, 0, c.width, c.height);
  for (let i = 0; i < d.length; i++) {
    const a = Math.abs(d[i]) / maxAbs;
    g.fillStyle = d[i] < 0 ? `rgba(77,195,255,${0.15 + 0.85 * a})` : `rgba(255,140,66,${0.15 + 0.85 * a})`;
    g.fillRect(i * w, 0, Math.ceil(w), c.height);
  }
}

export function updateTimings() {
  const now = performance.now();
  if (now - (state.lastTimingsUI || 0) < 500) return;
  state.lastTimingsUI = now;
  $('fps-text').textContent = t('timings.fps', { fps: hook.fps });
  for (const k in hook.timings) $(`t-${k}`).textContent = t('timings.ms', { ms: hook.timings[k].toFixed(1) });
}

// ---------- guidance: focus and the numbers on the video ----------

// focusScene moves the keyboard focus into the scene once a source is
// chosen (the start screen's button it was on is gone), without scrolling
// the video out of view.
export function focusScene() {
  const panel = $(`scene-${hook.scene}`);
  if (panel && !$('play').hidden) panel.focus({ preventScroll: true });
}

// renderStageLegend says what the numbers drawn on the video are, for the
// scene and step in view (wasm/internal/scene draws them).
export function renderStageLegend() {
  const key = hook.scene === 'find' ? { 1: 'stage.legend.window', 3: 'stage.legend.score' }[state.step]
    : hook.scene === 'track' ? 'stage.legend.track' : null;
  const el = $('stage-legend');
  el.hidden = !key;
  el.textContent = key ? t(key) : '';
}

// ---------- scenes ----------

export function setScene(scene) {
  hook.scene = scene;
  for (const b of document.querySelectorAll('[role=tab]')) {
    const on = b.dataset.scene === scene;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    if (on && !$('play').hidden) b.scrollIntoView({ block: 'nearest', inline: 'nearest' }); // the tab row scrolls on a phone
  }
  $('scene-find').hidden = scene !== 'find';
  $('scene-track').hidden = scene !== 'track';
  $('case').hidden = scene !== 'track';
  for (const s of STORY_SCENES) $(`scene-${s}`).hidden = scene !== s;
  // The overlay draws the find and track scenes; the story scenes show the plain picture.
  if ($('overlay')) $('overlay').hidden = STORY_SCENES.includes(scene);
  if (STORY_SCENES.includes(scene)) $('boxes').hidden = true;
  showStory(scene);
  renderStageLegend();
  if (scene !== 'find') {
    setPlaying(false);
    if (state.frozen) setFrozen(false); // tracking needs the video moving
  }
  if (scene === 'find' && state.step >= 4) loadAlign();
  startReid();
  refreshOverlayState();
  if (state.photo || state.frozen) processStill();
}

export function setStep(n) {
  state.step = Math.min(STEPS, Math.max(1, n)); // no wrap: step 1 never jumps to 6 (and its 6.4 MB)
  state.stepStart = performance.now();
  for (const li of document.querySelectorAll('#steps li')) {
    const on = Number(li.dataset.step) === state.step;
    li.classList.toggle('current', on);
    if (on) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  }
  $('step-of').textContent = t('find.stepOf', { n: state.step, total: STEPS });
  $('btn-prev').disabled = state.step === 1;
  $('btn-step').disabled = state.step === STEPS;
  renderStageLegend();
  $('chip-box').hidden = state.step < 5;
  $('embed-box').hidden = state.step !== STEPS || !state.models.has(EMBED_FILES[1]);
  if (state.step >= 4) loadAlign();
  if (state.step === STEPS) { loadEmbed(); drawEmbedding(state.embedding); } // redrawn when new numbers come, not every frame
  refreshOverlayState();
  if (state.photo || state.frozen) processStill();
}

export function setPlaying(on) {
  state.playing = on;
  $('btn-play').setAttribute('aria-pressed', String(on));
  $('btn-play').textContent = t(on ? 'find.pause' : 'find.play');
  clearInterval(state.playTimer);
  if (on) state.playTimer = setInterval(() => setStep(state.step === STEPS ? 1 : state.step + 1), PLAY_STEP_MS);
}

export function setFrozen(on, quiet) {
  state.frozen = on;
  $('btn-freeze').setAttribute('aria-pressed', String(on));
  $('btn-freeze').textContent = t(on ? 'find.unfreeze' : 'find.freeze');
  if (quiet) return;
  const v = $('video');
  if (on) { v.pause(); processStill(); } else if (!state.photo) { v.play(); }
}

export function updateTrackScene(r, now) {
  // The worker counts in video coordinates; a mirrored camera view shows
  // left and right swapped, so swap the counts to match what is seen.
  $('count-in').textContent = state.mirror ? r.out : r.in;
  $('count-out').textContent = state.mirror ? r.in : r.out;
  for (const tr of r.tracks) {
    if (tr.state !== CONFIRMED) continue;
    const spans = state.timeline.get(tr.id) || [];
    const lastSpan = spans[spans.length - 1];
    if (lastSpan && now - lastSpan[1] < 700) lastSpan[1] = now; else spans.push([now, now]);
    state.timeline.set(tr.id, spans);
  }
  if (now - state.lastTimeline < 200) return;
  state.lastTimeline = now;
  const list = $('track-list');
  const items = r.tracks.filter((tr) => tr.state === CONFIRMED).map((tr) => {
    const li = document.createElement('li');
    li.textContent = `${t('track.id', { id: tr.id })} — ${t('track.seconds', { s: (tr.age / 1000).toFixed(1) })}`;
    if (tr.recall) {
      const again = document.createElement('span');
      again.className = 'again';
      again.textContent = ` · ${t('track.seenAgain', { id: tr.id, s: Math.round(tr.recall.gapMs / 1000), d: tr.recall.distance.toFixed(2) })}`;
      li.append(again);
    }
    return li;
  });
  list.replaceChildren(...items);
  drawTimeline(now);
}

export const PALETTE = ['#ffcc00', '#00d1ff', '#ff5fa2', '#7cff6b', '#ff8c42', '#b18cff', '#4dffd2', '#ff4d4d'];

export function drawTimeline(now) {
  const c = $('timeline');
  const w = c.clientWidth || 300;
  const ids = [...state.timeline.keys()].filter((id) => state.timeline.get(id).some((s) => s[1] > now - 60000));
  const rowH = 18;
  const h = Math.max(rowH, ids.length * rowH);
  if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
  const g = c.getContext('2d');
  g.clearRect(0, 0, w, h);
  const labelW = 36;
  const x = (ms) => labelW + ((ms - (now - 60000)) / 60000) * (w - labelW);
  ids.forEach((id, i) => {
    g.fillStyle = PALETTE[id % PALETTE.length];
    g.font = '12px system-ui, sans-serif';
    g.fillText(String(id), 4, i * rowH + 13);
    for (const [a, b] of state.timeline.get(id)) {
      if (b < now - 60000) continue;
      g.fillRect(x(Math.max(a, now - 60000)), i * rowH + 4, Math.max(2, x(b) - x(Math.max(a, now - 60000))), rowH - 8);
    }
  });
  $('timeline-none').hidden = ids.length > 0;
}

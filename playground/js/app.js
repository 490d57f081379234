// app.js — the playground page: wiring the controls and starting up. The
// page's parts are modules of their own: page.js (hook and state),
// models.js, sources.js, pump.js (frames and results), overlayhost.js and
// scenes.js.
import { cameraOpening } from './boot.js';
import { initialLang, onLang, setLang, t } from './i18n.js';
import { EMBED_FILES, boot, loadEmbed, showProgress, showReidStatus, startReid } from './models.js';
import { bytesSent, onSent } from './net.js';
import { layoutOverlay, refreshOverlayState } from './overlayhost.js';
import { $, STEPS, fail, hook, reducedMotion, state } from './page.js';
import { recogniserWorker } from './recogniser.js';
import { renderStageLegend, setFrozen, setPlaying, setScene, setStep } from './scenes.js';
import { noteKey, noteVars, stopSource, useCamera, useClip, useFile } from './sources.js';
import { initStory, STORY_SCENES } from './story/story.js';
import { markLang } from './story/lang.js';

// ---------- wiring ----------

function wire() {
  $('use-camera').addEventListener('click', () => { boot(); useCamera(); });
  $('use-clip').addEventListener('click', () => { boot(); useClip(); });
  $('pick-file').addEventListener('change', (e) => { boot(); useFile(e.target.files[0]); });
  $('change-source').addEventListener('click', () => {
    stopSource();
    $('play').hidden = true;
    $('start').hidden = false;
    $('pick-file').value = '';
    $('use-camera').focus();
  });
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => setLang(b.dataset.lang));
  for (const b of document.querySelectorAll('[role=tab]')) b.addEventListener('click', () => setScene(b.dataset.scene));
  document.querySelector('.scenes').addEventListener('keydown', (e) => {
    if (!['ArrowRight', 'ArrowLeft', 'Home', 'End'].includes(e.key)) return;
    const tabs = [...document.querySelectorAll('.scenes [role=tab]')].map((b) => b.dataset.scene);
    const i = tabs.indexOf(hook.scene);
    const next = e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1]
      : tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    setScene(next);
    $(`tab-${next}`).focus();
    e.preventDefault();
  });
  $('reid-on').addEventListener('change', (e) => {
    state.reid = hook.reid = e.target.checked;
    // The frame worker starts a fresh tracker when the setting changes, so
    // the timeline starts again too.
    state.timeline.clear();
    showReidStatus();
    startReid();
  });
  $('btn-step').addEventListener('click', () => setStep(state.step + 1));
  $('btn-prev').addEventListener('click', () => setStep(state.step - 1));
  $('btn-play').addEventListener('click', () => setPlaying(!state.playing));
  $('btn-freeze').addEventListener('click', () => setFrozen(!state.frozen));
  document.addEventListener('keydown', (e) => {
    if (hook.scene !== 'find' || $('play').hidden || e.altKey || e.ctrlKey || e.metaKey) return;
    const tag = (e.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || e.target.getAttribute('role') === 'tab') return;
    if (e.key === 'ArrowRight') { setStep(state.step + 1); e.preventDefault(); }
    if (e.key === 'ArrowLeft') { setStep(state.step - 1); e.preventDefault(); }
    if (e.key === 'f' || e.key === 'F') { setFrozen(!state.frozen); e.preventDefault(); }
  });
  onSent((n) => { hook.bytesSent = n; $('sent-bytes').textContent = n.toLocaleString(); });
  onLang((l) => {
    hook.lang = l;
    if (noteKey) $('source-note').textContent = t(noteKey, noteVars);
    setPlaying(state.playing);
    setFrozen(state.frozen, true);
    if (state.progress) showProgress(...state.progress);
    $('step-of').textContent = t('find.stepOf', { n: state.step, total: STEPS });
    showReidStatus();
    renderStageLegend();
    markLang($('reid-explain'), l); // the Korean project's name, on the English page
  });
  new ResizeObserver(layoutOverlay).observe($('stage'));
  reducedMotion.addEventListener('change', refreshOverlayState);
}

async function main() {
  const q = new URLSearchParams(location.search);
  const src = q.get('source');
  // ?overlay=off drops the ebiten overlay (to measure what it costs); the
  // page's plain boxes stay.
  if (q.get('overlay') === 'off') $('overlay').remove();
  // On a phone the Tracked scene's explanation starts folded: the counts
  // and the list stay near the video.
  if (matchMedia('(max-width: 700px)').matches) $('reid-explain').open = false;
  wire();
  // The words and the source load together: on a link straight to the
  // camera its stream is already opening (js/boot.js), and the first frame
  // need not wait for the language files or the story scenes.
  const lang = setLang(initialLang());
  if (src === 'camera') useCamera(cameraOpening);
  else if (src === 'clip') useClip();
  initStory({
    hook,
    // Story requests go to the recogniser once it runs (faces need its
    // network); plain arithmetic works in either worker.
    worker: () => recogniserWorker() || (state.bootDone ? state.worker : null),
    hasSource: () => hook.ready && hook.source !== 'none',
    ensureModels: async () => {
      await loadEmbed(); // the recogniser has the face finder, the pupil locator and the network
      if (!state.models.has(EMBED_FILES[1])) throw new Error(t('load.failed', { error: 'models' }));
    },
    onSent,
  });
  hook.bytesSent = bytesSent();
  await lang;
  state.started.catch((e) => fail(t('load.failed', { error: e.message })));
  setStep(1);
  if (['track', ...STORY_SCENES].includes(q.get('scene'))) setScene(q.get('scene'));
  const step = Number(q.get('step'));
  if (step >= 1 && step <= STEPS) setStep(step);
}

boot();
main();

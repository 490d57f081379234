// story.js — the two story scenes, "Who does the machine think you are?"
// (scene "misid") and "Where did the faces go?" (scene "data"). app.js owns
// the page and calls initStory once and showStory on every scene change;
// everything else of the scenes lives under js/story/.
//
// Read-only additions to window.facewatch (app.js documents them too):
//   enrolled    number of enrolment pictures of the visitor
//   gallery     [{id, file, mine}] the visitor's gallery, in order
//   threshold   the misidentification threshold (Euclidean distance)
//   topMatches  [{id, distance, match, mine}] nearest gallery faces first
//   rates       {fmr, fnmr, falseMatches, impostors, falseNonMatches, genuine} or null
//   nearestStranger {id, distance} or null
//   baseRate    {gallery, rate, n, f, result: match.BaseRateResult} or null
//   storyReady  true once the sources are loaded and the scenes rendered
//   strangers   {n, bytes, searchMs, threshold, raised, nearest: [{id, distance, match, move}]} or null
//   meter       {running, distance, match, looks, faces, misses, samples} (the "are you still you?" meter)
import { onLang, currentLang } from '../i18n.js';
import { markLang } from './lang.js';
import { loadSources, renderCitations, renderList } from './sources.js';
import { initMisid, misid, onReport, onEnrol, onThreshold, relabel as relabelMisid } from './misid.js';
import { initBaseRate, compute, render as renderBaseRate, baseRate, show as showBaseRate } from './baserate.js';
import { initStrangers, strangers, countBelow, onStrangers, rerun as rerunStrangers, render as renderStrangers } from './strangers.js';
import { initMeter, meter, stats as meterStats, setVisible as meterVisible, enrolled as meterEnrolled, render as renderMeter } from './meter.js';
import { initData, playFlow, relabel as relabelData, renderSent } from './data.js';
import { pixelsOf } from './rpc.js';

const $ = (id) => document.getElementById(id);
const SCENES = ['misid', 'data'];
let ready = false;
let shownFlow = false;

function defineHook(hook) {
  const props = {
    enrolled: () => misid.you.length,
    gallery: () => misid.gallery.map((g) => ({ id: g.id, file: g.file, mine: g.mine })),
    threshold: () => misid.threshold,
    topMatches: () => (misid.report ? misid.report.ranked.map((m) => ({ ...m })) : []),
    rates: () => {
      const r = misid.report;
      return r ? { fmr: r.fmrDefined ? r.fmr : null, fnmr: r.fnmrDefined ? r.fnmr : null, falseMatches: r.falseMatches, impostors: r.impostor.length, falseNonMatches: r.falseNonMatches, genuine: r.genuine.length } : null;
    },
    nearestStranger: () => (misid.report && misid.report.nearestStranger ? { id: misid.report.nearestStranger, distance: misid.report.nearestStrangerDistance } : null),
    baseRate: () => (baseRate.last ? JSON.parse(JSON.stringify(baseRate.last)) : null),
    storyReady: () => ready,
    strangers: () => {
      const r = strangers.report;
      if (!r) return null;
      return {
        n: r.n, bytes: strangers.bytes, searchMs: strangers.searchMs, roundTripMs: strangers.roundTripMs, threshold: misid.threshold, raised: countBelow(misid.threshold),
        nearest: r.nearest.map((s) => ({ id: s.id, distance: s.distance, match: s.distance < misid.threshold, move: Math.max(0, s.distance - misid.threshold) })),
      };
    },
    meter: () => {
      const s = meter.last;
      return { running: meter.running, distance: s ? s.d : null, match: s && s.d !== null ? s.d < misid.threshold : null, ...meterStats(), samples: meter.samples.length };
    },
  };
  for (const [k, get] of Object.entries(props)) Object.defineProperty(hook, k, { get, enumerable: true });
}

/**
 * initStory wires the scenes. app gives: hook (window.facewatch), worker()
 * (the running worker or null), ensureModels() (resolves once the pupil
 * locator and the recognition network are in the worker) and hasSource().
 */
export function initStory(app) {
  defineHook(app.hook);
  const ctx = {
    worker: app.worker,
    ensureModels: app.ensureModels,
    hasSource: app.hasSource,
    citations: renderCitations,
    showBaseRate: (gallery) => showBaseRate(gallery),
    // still grabs the picture on the stage (photo, or the video's frame).
    still() {
      const photo = $('photo'), video = $('video');
      if (!photo.hidden && photo.width) return pixelsOf(photo, photo.width, photo.height);
      if (video.readyState >= 2 && video.videoWidth) return pixelsOf(video, video.videoWidth, video.videoHeight);
      return null;
    },
  };
  initMisid(ctx);
  initBaseRate(ctx);
  initData(ctx);
  initStrangers(ctx);
  initMeter(ctx);
  onReport(() => compute());
  onStrangers(() => compute());
  onEnrol(() => { rerunStrangers(); meterEnrolled(); });
  onThreshold(() => { renderStrangers(); renderMeter(); });
  loadSources().then(() => {
    renderAll();
    ready = true;
  }).catch((e) => { $('error').textContent = e.message; $('error').hidden = false; });
  onLang(() => { if (ready) renderAll(); else markLang($('case'), currentLang()); });
  app.onSent(() => renderSent());
}

function renderAll() {
  for (const id of ['story-misid', 'story-data', 'story-sources', 'scene-misid', 'scene-data']) renderCitations($(id));
  renderList($('sources-list'));
  relabelMisid();
  relabelData();
  renderStrangers();
  renderMeter();
  renderBaseRate();
  for (const id of ['story-misid', 'story-data', 'story-sources', 'scene-misid', 'scene-data', 'case']) markLang($(id), currentLang());
}

/** showStory shows the articles of a story scene (or hides them all). */
export function showStory(scene) {
  $('story-misid').hidden = scene !== 'misid';
  $('story-data').hidden = scene !== 'data';
  $('story-sources').hidden = !SCENES.includes(scene);
  meterVisible(scene === 'misid');
  if (scene === 'misid') compute();
  if (scene === 'data') {
    renderSent();
    if (!shownFlow) { shownFlow = true; playFlow(); }
  }
}

export const STORY_SCENES = SCENES;

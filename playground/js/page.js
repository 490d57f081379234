// page.js — the playground page's shared parts: the element lookup, the
// window.facewatch test hook (the page's modules are its only writers), the
// page state and the error line.
import { detector } from './boot.js';

export const $ = (id) => document.getElementById(id);
export const STEPS = 6;
export const PLAY_STEP_MS = 5000;
export const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

// The test hook (read-only for its users; the page's modules are its only writers).
export const hook = {
  ready: false,
  scene: 'find',
  source: 'none',
  lang: 'en',
  fps: 0,
  frames: 0,
  faces: [],
  tracks: [],
  timings: { grab: 0, detect: 0, align: 0, track: 0, embed: 0, total: 0 },
  bytesSent: 0,
  // Start-up marks, in ms since navigation (performance.now()): the worker
  // runs with the face finder loaded, the first frame came back from it,
  // the first face was found, the ebiten overlay drew its first frame.
  workerReadyMs: null,
  firstFrameMs: null,
  firstFaceMs: null,
  overlayLoadMs: null, // when the overlay iframe was given its src
  overlayReadyMs: null,
  // Re-identification in the Tracked scene: on or off, and how many chips
  // the recogniser has embedded for it.
  reid: true,
  embedded: 0,
  worker: detector.build, // 'simd' or 'scalar': the worker build boot.js chose
};
window.facewatch = hook;
// The story scenes (js/story/story.js) add read-only getters to the hook:
// enrolled, gallery [{id, file, mine}], threshold, topMatches [{id,
// distance, match, mine}], rates, nearestStranger, baseRate {gallery, rate,
// n, f, result} and storyReady.

export const state = {
  worker: null,
  started: null,         // promise: worker running with the face finder
  bootDone: false,
  models: new Set(),     // model names loaded in the worker
  alignLoading: null,    // promise for puploc + lps
  embedLoading: null,    // promise for the recognition network
  busy: false,
  frameId: 0,
  running: false,
  frozen: false,
  photo: false,
  mirror: false,
  step: 1,
  playing: false,
  playTimer: 0,
  stepStart: performance.now(),
  resultTimes: [],
  timeline: new Map(),   // track id → [[startMs, endMs], …]
  lastTimeline: 0,
  last: null,
  objectURL: null,
  reid: true,            // the Tracked scene's switch
  guided: new URLSearchParams(location.search).get('guided') !== 'off', // ?guided=off: full scans (to measure)
  pupilsLoading: null,   // promise for puploc alone (re-identification)
  embedBusy: false,      // a chip is with the recogniser
  lastEmbedAt: 0,
  embedding: null,       // step 6: the latest 128 numbers
};

export function fail(msg) {
  $('error').textContent = msg;
  $('error').hidden = false;
}

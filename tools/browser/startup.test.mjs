// Start-up speed of the playground, opened straight on the fake camera
// (/?source=camera&lang=en, out/clips/one-face.y4m), as a visitor following
// a shared link would: navigation → worker ready → first frame processed →
// first face box → overlay ready, the main thread's long tasks during
// start-up and in steady state (from 5 s after navigation), and the frame
// rate and CPU over FACEWATCH_MEASURE_S seconds.
//
// Times are printed as "measure:" lines and never asserted (the machine is
// shared and timings are noisy); the assertions are functional: a face is
// found, the start-up marks are in order, the steady state was measured.
//
// FACEWATCH_STARTUP_RUNS (default 3) cold starts, each in a fresh browser
// context (empty HTTP cache), give the spread of the start-up times; the last
// one also measures the steady state, then one warm reload (HTTP and wasm
// code caches filled) shows a returning visitor's start-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import {
  startServer, launch, newPage, waitFor, hook, pageRecord, screenshot, cpuSampler, measure, MEASURE_S,
} from './lib.mjs';

const RUNS = Math.max(1, Number(process.env.FACEWATCH_STARTUP_RUNS || 3));
const STEADY_FROM_MS = 5000; // steady state starts this long after navigation

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launch({ camera: 'one-face' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// LONGTASKS records, in every frame, each long task with what the browser
// attributes it to (the page itself, or the overlay iframe).
const LONGTASKS = `(() => {
  const list = window.__fwlong = [];
  try {
    new PerformanceObserver((l) => {
      for (const t of l.getEntries()) {
        const a = (t.attribution && t.attribution[0]) || {};
        list.push({ start: Math.round(t.startTime), ms: Math.round(t.duration), name: t.name,
          container: a.containerType ? a.containerType + ' ' + (a.containerSrc || a.containerId || '') : '' });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {}
})();`;

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

// marks reads the start-up marks from the hook (ms since navigation) and the
// download times of the large files from Resource Timing.
async function marks(page) {
  return page.evaluate(() => {
    const fw = window.facewatch;
    const res = {};
    for (const e of performance.getEntriesByType('resource')) {
      const name = new URL(e.name).pathname.replace(/^.*\//, '');
      if (['worker.wasm', 'overlay.wasm', 'facefinder', 'app.js', 'worker.js', 'en.json'].includes(name) && !res[name]) {
        res[name] = [Math.round(e.startTime), Math.round(e.responseEnd)];
      }
    }
    const nav = performance.getEntriesByType('navigation')[0];
    // The page's own marks (js/boot.js, js/app.js): boot, wasm-compiled,
    // worker-ready, source-playing, first-frame-sent, first-frame.
    const steps = {};
    for (const e of performance.getEntriesByType('mark')) {
      if (e.name.startsWith('facewatch:')) steps[e.name.slice(10)] = Math.round(e.startTime);
    }
    return {
      steps,
      workerReady: fw.workerReadyMs ?? null,
      firstFrame: fw.firstFrameMs ?? null,
      firstFace: fw.firstFaceMs,
      overlayReady: fw.overlayReadyMs ?? null,
      overlayLoad: fw.overlayLoadMs ?? null,
      // The wasm this page fetched itself (the overlay's is fetched inside
      // its iframe, which gets its src only at overlayLoad): bytes sent.
      wasm: performance.getEntriesByType('resource')
        .filter((e) => e.name.endsWith('.wasm'))
        .map((e) => ({ name: new URL(e.name).pathname.replace(/^.*\//, ''), start: Math.round(e.startTime), bytes: e.encodedBodySize })),
      worker: fw.worker ?? null,
      domContentLoaded: nav ? Math.round(nav.domContentLoadedEventEnd) : null,
      load: nav ? Math.round(nav.loadEventEnd) : null,
      res,
    };
  });
}

const longtasks = (page) => page.evaluate(() => window.__fwlong || []);

// coldStart opens the page in a fresh context and waits for the first face
// and the overlay. It returns { context, page, rec, m, tasks }.
async function coldStart(url) {
  const { context, page, rec } = await newPage(browser);
  await context.addInitScript({ content: LONGTASKS });
  await page.goto(url, { waitUntil: 'commit', timeout: 60000 });
  await waitFor(page, () => window.facewatch && window.facewatch.firstFaceMs !== null, null, { what: 'the first face', timeout: 60000 });
  await waitFor(page, () => window.facewatch.overlayReadyMs != null, null, { what: 'the overlay', timeout: 30000 })
    .catch(() => {}); // an overlay that never reports is a measurement gap, printed below
  return { context, page, rec, m: await marks(page), tasks: await longtasks(page) };
}

function printRun(label, m, tasks) {
  const v = (x) => (x === null || x === undefined ? 'n/a' : `${x} ms`);
  measure(`${label} worker build`, `${m.worker} (wasm SIMD ${m.worker === 'simd' ? 'on' : 'off'})`);
  measure(`${label} navigation → worker ready`, v(m.workerReady));
  measure(`${label} navigation → first frame processed`, v(m.firstFrame));
  measure(`${label} navigation → first face box (firstFaceMs)`, v(m.firstFace));
  measure(`${label} navigation → overlay ready`, v(m.overlayReady));
  measure(`${label} DOMContentLoaded / load`, `${v(m.domContentLoaded)} / ${v(m.load)}`);
  measure(`${label} page marks (ms)`, JSON.stringify(m.steps));
  measure(`${label} downloads [start, end] ms`, JSON.stringify(m.res));
  const upTo = m.firstFace ?? Infinity;
  const before = tasks.filter((t) => t.start < upTo);
  const startup = tasks.filter((t) => t.start < STEADY_FROM_MS);
  const sum = (l) => l.reduce((s, t) => s + t.ms, 0);
  measure(`${label} long tasks before the first face`, `${before.length}, ${sum(before)} ms in all, longest ${Math.max(0, ...before.map((t) => t.ms))} ms`);
  measure(`${label} long tasks in the first ${STEADY_FROM_MS / 1000} s`, JSON.stringify(startup.map((t) => [t.start, t.ms, t.container || t.name])));
}

const median = (l) => { const s = [...l].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };

test(`start-up on a fake camera, ${RUNS} cold start(s), steady state, warm reload`, { timeout: (RUNS * 70 + MEASURE_S + 120) * 1000 }, async () => {
  const url = `${server.url}?source=camera&lang=en`;
  measure('load average before', load());
  const faces = [];
  let last = null;
  for (let i = 1; i <= RUNS; i++) {
    if (last) await last.context.close();
    last = await coldStart(url);
    const { m, tasks, rec } = last;
    printRun(`cold ${i}/${RUNS}:`, m, tasks);
    // The preloaded downloads are used, not fetched twice.
    const twice = ['/worker.wasm', '/models/facefinder'].map((p) => `${p} ×${rec.requests.filter((r) => new URL(r.url).pathname === p).length}`);
    measure(`cold ${i}/${RUNS}: requests`, twice.join(', '));
    for (const p of ['/worker.wasm', '/models/facefinder']) {
      assert.equal(rec.requests.filter((r) => new URL(r.url).pathname === p).length, 1, `${p} fetched more than once: the preload was not used`);
    }
    // Functional facts: a face was found after the page was navigated to,
    // and the pipeline's marks come in their natural order.
    assert.equal(typeof m.firstFace, 'number', 'no first face');
    assert.ok(m.firstFace > 0);
    if (m.workerReady !== null) assert.ok(m.workerReady <= m.firstFace, `worker ready at ${m.workerReady} ms, after the first face at ${m.firstFace} ms`);
    if (m.firstFrame !== null) assert.ok(m.firstFrame <= m.firstFace, `first frame at ${m.firstFrame} ms, after the first face at ${m.firstFace} ms`);
    // The first face box needs only the worker's wasm: the overlay iframe
    // is started after it, and the page's own wasm downloads stay within
    // the issue's 4.0 MB of gzip (worker.wasm is about 1.1 MB).
    assert.equal(typeof m.overlayLoad, 'number', 'the overlay was never started');
    assert.ok(m.overlayLoad >= m.firstFace, `the overlay was started at ${m.overlayLoad} ms, before the first face box at ${m.firstFace} ms`);
    const before = m.wasm.filter((e) => e.start <= m.firstFace);
    const bytes = before.reduce((s, e) => s + e.bytes, 0);
    measure(`cold ${i}/${RUNS}: wasm downloaded before the first face box`, `${before.map((e) => `${e.name} ${e.bytes} B`).join(', ')}: ${(bytes / 1e6).toFixed(2)} MB as sent (gzip)`);
    assert.ok(before.some((e) => e.name === 'worker.wasm'), `worker.wasm is not among the downloads before the first face: ${JSON.stringify(m.wasm)}`);
    assert.ok(bytes > 0 && bytes <= 4.0e6, `${bytes} bytes of wasm before the first face box (at most 4.0 MB)`);
    faces.push(m.firstFace);
  }
  measure('first face box after navigation, cold', `median ${median(faces)} ms of ${faces.join(', ')} ms (load average ${load()})`);

  // Steady state on the last cold start.
  const { page, rec } = last;
  const fw = await hook(page);
  assert.equal(fw.source, 'camera');
  assert.ok(fw.faces.length > 0 || fw.frames > 0, 'the pipeline stopped');
  const wait = STEADY_FROM_MS - (await page.evaluate(() => performance.now()));
  if (wait > 0) await page.waitForTimeout(wait);
  const cpu = cpuSampler();
  const a = await page.evaluate(() => ({ frames: window.facewatch.frames, t: performance.now() }));
  cpu.start();
  await page.waitForTimeout(MEASURE_S * 1000);
  const pct = cpu.stop();
  const b = await page.evaluate(() => ({ frames: window.facewatch.frames, t: performance.now(), timings: window.facewatch.timings }));
  const secs = (b.t - a.t) / 1000;
  const steady = (await longtasks(page)).filter((t) => t.start >= a.t && t.start < b.t);
  measure(`steady state: frames processed per second over ${secs.toFixed(1)} s`, ((b.frames - a.frames) / secs).toFixed(1));
  measure('steady state: timings (ms)', JSON.stringify(b.timings));
  if (pct !== null) measure('steady state: Chromium CPU', `${pct.toFixed(0)} % of one core`);
  measure('steady state: long main-thread tasks', `${steady.length}, longest ${Math.max(0, ...steady.map((t) => t.ms))} ms ${JSON.stringify(steady.map((t) => [t.start, t.ms, t.container || t.name]))}`);
  measure('load average after', load());
  // The steady state was measured: frames kept coming, on a visible overlay.
  assert.ok(b.frames > a.frames, `no frame processed in ${secs.toFixed(1)} s of steady state`);
  await screenshot(page, 'startup-steady');

  // A returning visitor: reload with the caches filled.
  await page.evaluate(() => { window.__fwlong.length = 0; });
  await page.reload({ waitUntil: 'commit' });
  await waitFor(page, () => window.facewatch && window.facewatch.firstFaceMs !== null, null, { what: 'the first face after reload', timeout: 60000 });
  await waitFor(page, () => window.facewatch.overlayReadyMs != null, null, { what: 'the overlay after reload', timeout: 30000 }).catch(() => {});
  printRun('warm:', await marks(page), await longtasks(page));

  const r = await pageRecord(page);
  assert.deepEqual(r.rejections, [], 'unhandled rejections');
  assert.deepEqual(rec.errors, [], 'console/page errors');
  await last.context.close();
});

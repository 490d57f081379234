// A slow phone, imitated: Chromium pinned to one core (taskset, where the
// machine has it) with its CPU throttled 4× (DevTools), on the one-face
// fake camera in the Tracked scene. It prints the frames processed per
// second with the tracker guiding the detector and with full scans
// (?guided=off), throttled and not, and checks that guidance finds the face
// in as many frames as full scans do. The ebiten overlay is left out
// (?overlay=off: the page's plain boxes): headless Chromium draws WebGL in
// software on the CPU, which a phone's GPU does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, launch, newPage, waitFor, hook, pageRecord, measure, CHROMIUM, MEASURE_S } from './lib.mjs';

let server, browser, wrapper = null;

function hasTaskset() {
  try { execFileSync('taskset', ['-c', '0', 'true']); return true; } catch { return false; }
}

before(async () => {
  server = await startServer();
  let executable = CHROMIUM;
  if (hasTaskset()) {
    wrapper = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fw-slow-')), 'chromium-one-core');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec taskset -c 0 ${CHROMIUM} "$@"\n`, { mode: 0o755 });
    executable = wrapper;
  }
  measure('browser', wrapper ? 'pinned to one core (taskset -c 0)' : 'not pinned: taskset is missing');
  browser = await launch({ camera: 'one-face', executable });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (wrapper) fs.rmSync(path.dirname(wrapper), { recursive: true, force: true });
});

// run opens the Tracked scene on the camera with the CPU throttled by rate
// and returns frames per second and the share of frames with a face.
async function run(guided, rate) {
  const { context, page } = await newPage(browser);
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.goto(`${server.url}?scene=track&source=camera&overlay=off${guided ? '' : '&guided=off'}`, { waitUntil: 'load', timeout: 90000 });
    await waitFor(page, () => window.facewatch && window.facewatch.tracks.length > 0, null, { what: 'a tracked face', timeout: 90000 });
    await page.waitForTimeout(2000); // past the start-up
    const a = await hook(page);
    const t0 = Date.now();
    await page.waitForTimeout(MEASURE_S * 1000);
    const b = await hook(page);
    const secs = (Date.now() - t0) / 1000;
    const frames = (await pageRecord(page)).frames.filter((s) => s.frames > a.frames);
    const withFace = frames.filter((s) => s.faces.length > 0).length / Math.max(1, frames.length);
    return { fps: (b.frames - a.frames) / secs, withFace, sampled: frames.length };
  } finally {
    await context.close();
  }
}

for (const rate of [4, 1]) {
  test(`Tracked scene, CPU throttled ${rate}×: guided detection against full scans`, { timeout: 4 * (MEASURE_S + 60) * 1000 }, async () => {
    const guided = await run(true, rate);
    const full = await run(false, rate);
    measure(`throttled ${rate}×, one core: frames processed per second, guided / full scans`, `${guided.fps.toFixed(1)} / ${full.fps.toFixed(1)}`);
    measure(`throttled ${rate}×: share of frames with the face found, guided / full scans`, `${guided.withFace.toFixed(3)} / ${full.withFace.toFixed(3)} (${guided.sampled} / ${full.sampled} frames sampled)`);
    assert.ok(guided.sampled > 0 && full.sampled > 0, 'no frames recorded');
    // The same recall: guidance must not lose the face.
    assert.ok(guided.withFace >= full.withFace - 0.05, `guided detection found the face in ${guided.withFace} of frames, full scans in ${full.withFace}`);
  });
}

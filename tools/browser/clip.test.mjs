// The no-camera path: a browser without a camera (prompts denied). Asking
// for the camera falls back to the sample clip, or says why not; the sample
// clip plays and faces are found in it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, start, waitFor, hook, pageRecord, screenshot, measure } from './lib.mjs';
import { checkPrivacy } from './privacy.mjs';

let server, browser, page, rec;

before(async () => {
  server = await startServer();
  browser = await launch({ camera: null });
  ({ page, rec } = await newPage(browser, { camera: false }));
  await page.goto(server.url, { waitUntil: 'load', timeout: 60000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('asking for a camera that is not there does not break the page', { timeout: 50000 }, async () => {
  await start(page, 'camera');
  // Either the page falls back to the clip, or it says what happened.
  const outcome = await waitFor(page, () => {
    const fw = window.facewatch;
    if (fw && fw.source === 'clip') return 'clip';
    const alert = document.querySelector('[role="alert"]:not([hidden]), #error:not([hidden])');
    if (alert && alert.textContent.trim()) return 'message: ' + alert.textContent.trim();
    return null;
  }, null, { what: 'a fallback or a message', timeout: 40000 });
  measure('without a camera the page', outcome);
  await screenshot(page, 'no-camera');
});

test('the sample clip plays and faces are found in it', { timeout: 80000 }, async () => {
  if ((await hook(page)).source !== 'clip') {
    // Back to the start screen, then the clip button.
    const change = page.locator('#change-source');
    if (await change.count() && await change.isVisible()) await change.click();
    await start(page, 'clip');
  }
  await waitFor(page, () => window.facewatch && window.facewatch.ready && window.facewatch.source === 'clip', null, { what: 'the clip', timeout: 40000 });
  const src = await page.evaluate(() => [...document.querySelectorAll('video')].map((v) => v.currentSrc).join(' '));
  assert.match(src, /\/media\/sample\.webm$/);
  await waitFor(page, () => window.facewatch.faces.length > 0, null, { what: 'a face in the clip', timeout: 10000 });
  const playing = await page.evaluate(() => { const v = document.querySelector('video'); return !v.paused && v.currentTime > 0; });
  assert.ok(playing, 'the clip is not playing');
  const fw = await hook(page);
  measure('clip firstFaceMs', fw.firstFaceMs);
  await screenshot(page, 'clip-find');
  // The clip shows two faces from 6 s on.
  await waitFor(page, () => window.facewatch.faces.length >= 2, null, { what: 'two faces in the clip', timeout: 15000 });
  await screenshot(page, 'clip-two-faces');
});

test('privacy on the clip', { timeout: 15000 }, async () => {
  await checkPrivacy(page, rec);
});

test('no console errors, page errors or unhandled rejections', async () => {
  const r = await pageRecord(page);
  assert.deepEqual(r.rejections, []);
  assert.deepEqual(rec.errors, []);
  assert.deepEqual(r.errors, []);
});

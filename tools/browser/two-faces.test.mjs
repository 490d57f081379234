// Two faces at once on the fake camera (out/clips/two-faces.y4m): each gets
// its own track ID, and the two tracks sit on the two faces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, start, waitFor, pageRecord, screenshot, measure } from './lib.mjs';
import { checkPrivacy } from './privacy.mjs';

let server, browser, page, rec;

before(async () => {
  server = await startServer();
  browser = await launch({ camera: 'two-faces' });
  ({ page, rec } = await newPage(browser));
  await page.goto(server.url, { waitUntil: 'load', timeout: 60000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const iou = (a, b) => {
  const x = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const y = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const i = x * y;
  return i / (a.w * a.h + b.w * b.h - i);
};

test('two faces get two distinct track IDs', { timeout: 90000 }, async () => {
  await start(page, 'camera');
  await waitFor(page, () => window.facewatch && window.facewatch.ready, null, { what: 'ready', timeout: 40000 });
  const tab = page.locator('[data-scene="track"]');
  if (await tab.count()) await tab.first().click();
  await waitFor(page, () => window.facewatch.scene === 'track', null, { what: 'the track scene', timeout: 5000 });
  await waitFor(page, () => window.facewatch.faces.length >= 2, null, { what: 'two faces', timeout: 15000 });
  // Two tracks, held together for 30 processed frames.
  let pair = null;
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline && !pair) {
    await page.waitForTimeout(500);
    const frames = (await pageRecord(page)).frames.filter((s) => s.tracks.length >= 2);
    let streak = 0, prev = null, key = null;
    for (const s of frames) {
      const ids = s.tracks.map((t) => t.id).sort((a, b) => a - b).join(',');
      streak = (ids === key && prev !== null && s.frames - prev <= 3) ? streak + (s.frames - prev) : 1;
      key = ids; prev = s.frames;
      if (streak >= 30) { pair = s; break; }
    }
  }
  assert.ok(pair, 'never saw the same two track IDs for 30 frames');
  const [a, b] = pair.tracks;
  measure('two-face track IDs', `${a.id} and ${b.id} at frame ${pair.frames}`);
  assert.notEqual(a.id, b.id);
  assert.ok(iou(a, b) < 0.1, `the two tracks overlap (IoU ${iou(a, b).toFixed(2)}): one face counted twice?`);
  // One face is left of the middle, the other right of it.
  const cx = [a.x + a.w / 2, b.x + b.w / 2].sort((p, q) => p - q);
  assert.ok(cx[0] < 320 && cx[1] > 320, `track centres ${cx} are not on both sides`);
  await screenshot(page, 'two-faces-track');
});

test('privacy with two faces', { timeout: 15000 }, async () => {
  await checkPrivacy(page, rec);
});

test('no console errors, page errors or unhandled rejections', async () => {
  const r = await pageRecord(page);
  assert.deepEqual(r.rejections, []);
  assert.deepEqual(rec.errors, []);
  assert.deepEqual(r.errors, []);
});

// Re-identification in the Tracked scene, on a fake camera whose one face
// leaves the view for 4 s and comes back (out/clips/leave-return.y4m, 14 s,
// looping): with the switch on the face keeps its ID and the page says it
// was seen again; with it off the face comes back under a new ID. Also the
// frame rate with re-identification on, and the find scene's step 6 (the
// 128 numbers) beside step 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, newPage, start, waitFor, hook, pageRecord, screenshot, measure, MEASURE_S } from './lib.mjs';
import { checkPrivacy } from './privacy.mjs';

let server, browser, page, rec;

before(async () => {
  server = await startServer();
  browser = await launch({ camera: 'leave-return' });
  ({ page, rec } = await newPage(browser));
  await page.goto(server.url + '?scene=track', { waitUntil: 'load', timeout: 60000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// episodes splits the recorded frames since `from` into stretches with a
// face and stretches without, and returns the confirmed IDs of each stretch
// with a face, with the first recall seen in it.
function episodes(frames, from) {
  const out = [];
  let cur = null, empty = 0;
  for (const s of frames) {
    if (s.frames <= from) continue;
    if (s.faces.length === 0) {
      if (++empty >= 15 && cur) { out.push(cur); cur = null; } // half a second without a face
      continue;
    }
    empty = 0;
    if (!cur) cur = { ids: new Set(), recall: null, from: s.frames };
    for (const t of s.tracks) {
      cur.ids.add(t.id);
      if (t.recall && !cur.recall) cur.recall = { id: t.id, ...t.recall };
    }
  }
  if (cur) out.push(cur);
  return out.map((e) => ({ ...e, ids: [...e.ids] }));
}

// cycle waits until the face has left and come back at least once after
// frame `from` and been tracked for a while, and returns the episodes.
async function cycle(from, what) {
  const deadline = Date.now() + 45000;
  for (;;) {
    await page.waitForTimeout(1000);
    const eps = episodes((await pageRecord(page)).frames, from);
    const done = eps.length >= 3 && eps[2].ids.length > 0; // before, back, and back again: the middle one is whole
    if (done || Date.now() > deadline) {
      assert.ok(done, `${what}: the face did not leave and come back within 45 s: ${JSON.stringify(eps)}`);
      return eps;
    }
  }
}

test('with re-identification on, a face that leaves for 4 s keeps its ID', { timeout: 120000 }, async () => {
  await start(page, 'camera');
  await waitFor(page, () => window.facewatch.ready && window.facewatch.scene === 'track', null, { what: 'the track scene', timeout: 40000 });
  // The recogniser embeds the face once it is loaded (a second worker).
  await waitFor(page, () => window.facewatch.embedded >= 2, null, { what: 'the recogniser at work', timeout: 60000 });
  const from = (await hook(page)).frames;
  const eps = await cycle(from, 're-identification on');
  measure('episodes (on)', JSON.stringify(eps.map((e) => ({ ids: e.ids, recall: e.recall }))));
  const [a, b] = [eps[0], eps[1]];
  assert.equal(b.ids.length, 1, `after coming back the face showed IDs ${b.ids}`);
  assert.ok(a.ids.includes(b.ids[0]), `the face left as ${a.ids} and came back as ${b.ids}`);
  assert.ok(b.recall, 'the page did not report the face as seen again');
  assert.ok(b.recall.gapMs > 3000 && b.recall.gapMs < 7000, `seen again after ${b.recall.gapMs} ms, want about 4 s`);
  assert.ok(b.recall.distance > 0 && b.recall.distance < 0.5, `recall distance ${b.recall.distance}`);
  const again = page.locator('#track-list .again');
  await waitFor(page, () => document.querySelector('#track-list .again') !== null, null, { what: 'the "seen again" line', timeout: 5000 }).catch(() => {});
  if (await again.count()) measure('track list', await again.first().textContent());
  await screenshot(page, 'reid-on');
});

test(`measure: frames per second in the Tracked scene with re-identification on, over ${MEASURE_S} s`, { timeout: (MEASURE_S + 20) * 1000 }, async () => {
  const a = await hook(page);
  const t0 = Date.now();
  await page.waitForTimeout(MEASURE_S * 1000);
  const b = await hook(page);
  const fps = (b.frames - a.frames) / ((Date.now() - t0) / 1000);
  measure('Tracked scene, re-identification on: frames processed per second', fps.toFixed(1));
  measure('chips embedded by the recogniser in that time', b.embedded - a.embedded);
  measure('worker', b.worker ?? 'scalar');
  assert.ok(b.frames > a.frames, 'no frame processed');
});

test('with re-identification off, the returning face gets a new ID', { timeout: 120000 }, async () => {
  await page.locator('#reid-on').uncheck();
  await waitFor(page, () => window.facewatch.reid === false, null, { what: 'the switch off', timeout: 5000 });
  const from = (await hook(page)).frames + 30;
  const eps = await cycle(from, 're-identification off');
  measure('episodes (off)', JSON.stringify(eps.map((e) => ({ ids: e.ids, recall: e.recall }))));
  const [a, b] = [eps[0], eps[1]];
  assert.ok(b.ids.length >= 1 && !a.ids.includes(b.ids[0]), `with the switch off the face kept its ID: ${a.ids} → ${b.ids}`);
  assert.equal(b.recall, null, 'a face was reported as seen again with the switch off');
  await screenshot(page, 'reid-off');
});

test('every step of the find scene, step 6 (the 128 numbers) included, beside step 1', { timeout: 150000 }, async () => {
  await page.locator('[data-scene="find"]').first().click();
  const step = async () => Number((await page.locator('#step-of').textContent()).match(/\d+/)[0]);
  const rates = [];
  for (let n = 1; n <= 6; n++) {
    while ((await step()) < n) await page.locator('#btn-step').click();
    if (n === 6) await waitFor(page, () => !document.getElementById('embed-box').hidden, null, { what: 'the 128 numbers', timeout: 30000 });
    await page.waitForTimeout(1500);
    const a = await hook(page);
    const t0 = Date.now();
    await page.waitForTimeout(4000);
    const b = await hook(page);
    rates.push((b.frames - a.frames) / ((Date.now() - t0) / 1000));
  }
  measure('find scene frames per second, steps 1-6', rates.map((r) => r.toFixed(1)).join(' / '));
  measure('each step against step 1', rates.map((r) => `${(r / rates[0]).toFixed(2)}×`).join(' / '));
  await screenshot(page, 'reid-step6');
  assert.ok(rates.every((r) => r > 0), `a step processed no frames: ${rates}`);
});

test('privacy: no image bytes and no embedding leave the page', { timeout: 15000 }, async () => {
  await checkPrivacy(page, rec);
});

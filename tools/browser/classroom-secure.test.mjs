// The classroom on a school network without https, in a real browser.
//
// Chromium maps the name school.test to 127.0.0.1
// (--host-resolver-rules), so http://school.test:PORT/ is what a phone
// sees on http://192.168.1.20:8080/: the same server, but not a secure
// context (only localhost and 127.0.0.1 count as secure over http).
//
// 1. A student on that address: the join page says, before anything is
//    downloaded, that the camera is not allowed here and why, and offers a
//    photo; the photo is processed on the device (the recognition models
//    are downloaded only then, nothing is uploaded), its numbers match
//    facewatch embed's own for the same photo, and sharing them works.
//    The teacher's page on that address warns that the link is plain http.
// 2. The teacher's page on 127.0.0.1 warns that its join link names this
//    computer only.
// 3. The teacher's screen after a withdrawal leaves one person sharing,
//    and with nobody sharing: no clipped label, no "-0 pairs"
//    (screenshots classroom-teacher-after-withdrawal*.png and
//    classroom-teacher-nobody-sharing*.png).
// 4. The playground on that address says the page is not secure, rather
//    than "No camera".
// 5. "facewatch serve -classroom -lan" (on loopback here): the teacher's
//    page shows the https join link and the fingerprint the server printed,
//    and a student's page there is a secure context with the camera offered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import readline from 'node:readline';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, ROOT, SITE, CHROMIUM, startServer, newPage, screenshot, measure } from './lib.mjs';

const env = process.env;
const MSG = JSON.parse(fs.readFileSync(path.join(ROOT, 'playground/classroom/i18n/en.json'), 'utf8'));
const MSG_KO = JSON.parse(fs.readFileSync(path.join(ROOT, 'playground/classroom/i18n/ko.json'), 'utf8'));
const PG = JSON.parse(fs.readFileSync(path.join(ROOT, 'playground/i18n/en.json'), 'utf8'));
const FACES = JSON.parse(fs.readFileSync(path.join(ROOT, 'classroom/testdata/faces.json'), 'utf8')).faces;
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };
const PHOTO = 'assets/testdata/pigo-sample.jpg';

const state = (page) => page.evaluate(() => window.facewatchClassroom);
const until = (page, fn, arg, what, timeout = 15000) => page.waitForFunction(fn, arg, { timeout, polling: 50 })
  .catch(async (e) => { throw new Error(`${what}: ${e.message}; state ${JSON.stringify(await state(page).catch(() => null))}`); });
const dist = (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));

function hasClassroomFlag() {
  const r = spawnSync(BIN, ['serve', '-h'], { encoding: 'utf8' });
  return /-lan/.test((r.stdout || '') + (r.stderr || ''));
}
const enabled = !env.FACEWATCH_URL && hasClassroomFlag();
const skip = !enabled && 'needs its own facewatch serve with -classroom and -lan';

let server, browser, school;
before(async () => {
  if (!enabled) return;
  server = await startServer({ args: ['-classroom'] });
  const port = new URL(server.url).port;
  school = `http://school.test:${port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: env.FACEWATCH_HEADED !== '1',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-default-apps', '--mute-audio', '--deny-permission-prompts',
      '--host-resolver-rules=MAP school.test 127.0.0.1'],
  });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

function wsLog(page) {
  const log = { sent: [], received: [] };
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => log.sent.push(String(payload)));
    ws.on('framereceived', ({ payload }) => log.received.push(String(payload)));
  });
  return log;
}

async function openTeacher(base) {
  const t = await newPage(browser, { camera: false });
  await t.page.setViewportSize(LAPTOP);
  await t.page.goto(base + 'teach?lang=en');
  await t.page.click('#create');
  await until(t.page, () => window.facewatchClassroom.code.length === 8, null, 'room code');
  return t;
}

test('a student on plain http takes part with a photo, processed on the device', { skip, timeout: 300000 }, async () => {
  const t = await openTeacher(school);
  const ts = await state(t.page);
  assert.ok(ts.joinURL.startsWith(school), ts.joinURL);
  assert.deepEqual(ts.warnings, ['http']);
  assert.ok(await t.page.isVisible('#warn-http'));
  assert.ok(!(await t.page.isVisible('#warn-loopback')));
  assert.equal(await t.page.textContent('#warn-http'), MSG['teach.warn.http']);
  assert.ok(!(await t.page.isVisible('#cert-line')), 'no certificate over http');
  await screenshot(t.page, 'classroom-teacher-http-warning');

  const s = await newPage(browser, { camera: false });
  await s.page.setViewportSize(PHONE);
  s.ws = wsLog(s.page);
  await s.page.goto(`${school}classroom/join.html?lang=en#${ts.display}`);
  assert.equal(await s.page.evaluate(() => window.isSecureContext), false, 'school.test over http must not be a secure context');
  // An invisible nickname is refused with its own message (not "bad
  // message"), shown on the page.
  await s.page.fill('#nick', '\u3164');
  await s.page.click('#join-button');
  await until(s.page, () => window.facewatchClassroom.error === 'bad_nick', null, 'bad_nick');
  assert.equal(await s.page.textContent('#error'), MSG['error.bad_nick']);
  assert.ok(await s.page.isVisible('#error'));
  await s.page.fill('#nick', 'Mina');
  await s.page.click('#join-button');
  await until(s.page, () => window.facewatchClassroom.id !== '', null, 'joined');

  // Said at once, in plain words, before anything is pressed or fetched.
  assert.equal((await state(s.page)).blocked, 'insecure');
  assert.ok(await s.page.isVisible('#why-no-camera'));
  assert.equal(await s.page.textContent('#why-no-camera'), MSG['join.blocked.insecure']);
  assert.ok(!(await s.page.isVisible('#camera')), 'no camera button that could only fail');
  assert.ok(await s.page.isVisible('#photo-label'));
  assert.equal(await s.page.getAttribute('#photo', 'accept'), 'image/*');
  assert.equal(await s.page.getAttribute('#photo', 'capture'), 'user');
  const heavy = (r) => /\.wasm$|\/models\/|worker\.js$/.test(r.url);
  assert.deepEqual(s.rec.requests.filter(heavy).map((r) => r.url), [], 'models downloaded before the photo was chosen');
  await screenshot(s.page, 'classroom-student-http-photo-offer');
  // The same in Korean, on a laptop.
  await s.page.setViewportSize(LAPTOP);
  await s.page.click('[data-lang="ko"]');
  await until(s.page, (want) => document.getElementById('why-no-camera').textContent === want, MSG_KO['join.blocked.insecure'], 'the reason in Korean');
  await screenshot(s.page, 'classroom-student-http-photo-offer-ko-laptop');
  await s.page.click('[data-lang="en"]');
  await until(s.page, (want) => document.getElementById('why-no-camera').textContent === want, MSG['join.blocked.insecure'], 'the reason in English again');
  await s.page.setViewportSize(PHONE);

  // The photo: read here, processed in the worker like a camera frame.
  const started = Date.now();
  await s.page.setInputFiles('#photo', path.join(ROOT, PHOTO));
  await until(s.page, () => ['done', 'failed'].includes(window.facewatchClassroom.camera), null, 'numbers from the photo', 180000);
  measure('numbers from a photo on a non-secure page (models loaded)', `${((Date.now() - started) / 1000).toFixed(1)} s`);
  const st = await state(s.page);
  assert.equal(st.camera, 'done', `photo: ${st.cameraError}`);
  assert.equal(st.source, 'photo');
  assert.ok(st.embeddingReady);
  assert.equal(await s.page.textContent('#camera-note'), MSG['join.photo.done']);
  assert.ok(s.rec.requests.some(heavy), 'the recorder saw no model download: it is not recording');
  assert.deepEqual(s.rec.requests.filter((r) => r.size > 0 || r.unreadable).map((r) => `${r.method} ${r.url}`), [], 'a request carried a body (the photo?)');
  assert.deepEqual(s.ws.sent.map((x) => JSON.parse(x).type), ['join', 'join'], 'only the two joins (one refused) left before Share');
  await screenshot(s.page, 'classroom-student-http-photo-done');

  await s.page.click('#share');
  await until(s.page, () => window.facewatchClassroom.shared, null, 'shared');
  const share = s.ws.sent.map((x) => JSON.parse(x)).find((m) => m.type === 'share');
  assert.equal(share.embedding.length, 128);
  for (const f of s.rec.wsFrames) assert.equal(f.verdict, null, `a websocket frame looks like an image: ${f.verdict}`);
  // The same photo through facewatch embed (native Go): the same face.
  const r = spawnSync(BIN, ['embed', PHOTO], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const native = JSON.parse(r.stdout).images[0].faces[0].embedding;
  const d = dist(native, share.embedding);
  measure('photo in the browser vs facewatch embed of the same photo', d.toFixed(4));
  assert.ok(d < 0.1, `the photo's numbers are ${d} from facewatch embed's`);
  await until(t.page, () => window.facewatchClassroom.students.some((x) => x.nick === 'Mina' && x.shared), null, 'the teacher sees Mina sharing');

  // A second person shares (a classmate's real numbers, over a plain
  // websocket from a page of this origin), then withdraws: one left.
  const helper = await (await browser.newContext()).newPage();
  await helper.goto(`${school}classroom/join.html?lang=en`);
  await helper.evaluate(async ({ code, e }) => {
    const ws = new WebSocket(`ws://${location.host}/classroom/ws`);
    await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error('websocket')); });
    const next = () => new Promise((res) => { ws.onmessage = (ev) => res(JSON.parse(ev.data)); });
    let m = next();
    ws.send(JSON.stringify({ v: 1, type: 'join', code, nick: 'Joon' }));
    if ((await m).type !== 'welcome') throw new Error('join');
    ws.send(JSON.stringify({ v: 1, type: 'share', embedding: e }));
    window.__ws = ws;
  }, { code: ts.code, e: FACES[3].embedding });
  await until(t.page, () => window.facewatchClassroom.matrixIds.length === 2, null, 'two sharing');
  await t.page.click('#scene-matrix');
  await until(t.page, () => !document.getElementById('view-matrix').hidden, null, 'matrix scene');
  await screenshot(t.page, 'classroom-teacher-two-sharing');
  await helper.evaluate(() => window.__ws.send(JSON.stringify({ v: 1, type: 'withdraw' })));
  await until(t.page, () => window.facewatchClassroom.matrixIds.length === 1, null, 'one left after the withdrawal');
  const wait2 = await t.page.evaluate(() => {
    // The canvas draws the waiting message from x = 20 px, left-aligned.
    const g = document.getElementById('matrix').getContext('2d');
    return g.textAlign;
  });
  assert.equal(wait2, 'left', 'the waiting message is drawn right-aligned and clipped');
  await screenshot(t.page, 'classroom-teacher-after-withdrawal');
  await t.page.setViewportSize(PHONE);
  await screenshot(t.page, 'classroom-teacher-after-withdrawal-phone');
  await t.page.setViewportSize(LAPTOP);

  // Nobody sharing: zero pairs, never "-0".
  await s.page.click('#withdraw');
  await until(t.page, () => window.facewatchClassroom.matrixIds.length === 0, null, 'nobody sharing');
  for (const sc of ['threshold', 'scale']) {
    await t.page.click(`#scene-${sc}`);
    await until(t.page, (x) => !document.getElementById(`view-${x}`).hidden, sc, sc);
    const te = await state(t.page);
    assert.ok(Object.is(te.pairs, 0), `pairs is ${te.pairs}`);
    const text = await t.page.textContent(`#view-${sc}`);
    assert.doesNotMatch(text, /-0\b/, `"-0" on the ${sc} scene`);
    await screenshot(t.page, `classroom-teacher-nobody-sharing-${sc}`);
  }
  // Chromium logs that it ignores Cross-Origin-Opener-Policy on a
  // non-secure origin: that is the browser describing this very setup.
  const coop = /Cross-Origin-Opener-Policy header has been ignored/;
  assert.deepEqual([...t.rec.errors, ...s.rec.errors].filter((e) => !coop.test(e)), []);
  await Promise.all([t.context.close(), s.context.close(), helper.context().close()]);
});

test('the teacher page on 127.0.0.1 warns that phones cannot use its join link', { skip, timeout: 60000 }, async () => {
  const t = await openTeacher(server.url);
  const ts = await state(t.page);
  assert.ok(ts.warnings.includes('loopback'), JSON.stringify(ts.warnings));
  assert.ok(await t.page.isVisible('#warn-loopback'));
  assert.equal(await t.page.textContent('#warn-loopback'), MSG['teach.warn.loopback']);
  await screenshot(t.page, 'classroom-teacher-loopback-warning');
  await t.page.setViewportSize(PHONE);
  await screenshot(t.page, 'classroom-teacher-loopback-warning-phone');
  await t.context.close();
});

test('the playground on a non-secure address says so instead of "No camera"', { skip, timeout: 120000 }, async () => {
  const p = await newPage(browser, { camera: false });
  await p.page.goto(`${school}?lang=en`);
  await p.page.click('#use-camera');
  await until(p.page, (want) => document.getElementById('source-note').textContent === want, PG['source.noCameraInsecure'], 'the note about the insecure page', 60000);
  await screenshot(p.page, 'playground-insecure-origin');
  await p.context.close();
});

// startLAN runs "facewatch serve -classroom -lan" on a loopback port and
// resolves to { url, fingerprint, stop } once it has printed both.
async function startLAN() {
  const child = spawn(BIN, ['serve', '-classroom', '-lan', '-addr', '127.0.0.1:0', '-dir', SITE], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: child.stdout });
  const got = await new Promise((resolve, reject) => {
    const out = {};
    const timer = setTimeout(() => reject(new Error('serve -lan printed no https URL and fingerprint: ' + stderr)), 15000);
    lines.on('line', (l) => {
      const u = l.match(/https:\/\/127\.0\.0\.1:\d+\//);
      if (u && !out.url) out.url = u[0];
      const f = l.match(/fingerprint: ([0-9A-F:]{95})/);
      if (f) out.fingerprint = f[1];
      if (out.url && out.fingerprint) { clearTimeout(timer); resolve(out); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve -lan exited (${code}): ${stderr}`)); });
  });
  got.stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  return got;
}

test('serve -lan: https join link and the certificate fingerprint on the teacher page', { skip, timeout: 60000 }, async () => {
  const lan = await startLAN();
  // The browser accepts the certificate, as a student does after comparing
  // the fingerprint.
  const c = await browser.newContext({ ignoreHTTPSErrors: true, viewport: LAPTOP });
  try {
    const page = await c.newPage();
    await page.goto(lan.url + 'teach?lang=en');
    await page.click('#create');
    await until(page, () => window.facewatchClassroom.code.length === 8, null, 'room code');
    const ts = await state(page);
    assert.ok(ts.joinURL.startsWith(lan.url + 'classroom/join.html#'), ts.joinURL);
    assert.equal(ts.cert, lan.fingerprint);
    assert.ok(await page.isVisible('#cert-line'));
    assert.equal((await page.textContent('#cert')).replace(/\s+/g, ':'), lan.fingerprint, 'the fingerprint shown, in two rows');
    assert.ok(!ts.warnings.includes('http'), 'https link warned as http');
    await screenshot(page, 'classroom-teacher-https-fingerprint');
    const sp = await c.newPage();
    await sp.setViewportSize(PHONE);
    await sp.goto(ts.joinURL);
    assert.equal(await sp.evaluate(() => window.isSecureContext), true);
    assert.equal((await state(sp)).blocked, '');
    assert.ok(!(await sp.isVisible('#why-no-camera')));
  } finally {
    await c.close();
    await lan.stop();
  }
});

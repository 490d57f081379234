// The classroom pages in a real browser: a teacher page and two student
// pages on one server. The students' embeddings come through the join
// page's TEST-ONLY hook (window.facewatchClassroomTest, enabled by
// ?test-hooks=1), standing in for the camera; everything else — joining,
// opting in, the teacher's matrix and slider, withdrawal, the end — goes
// through the real pages, the real websocket and the real server.
//
// It needs "facewatch serve -classroom"; with FACEWATCH_URL it tests a
// server already running with the classroom mounted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import readline from 'node:readline';
import { once } from 'node:events';
import { BIN, SITE, ROOT, launch, newPage, classifyPayload, isLoopback, screenshot } from './lib.mjs';

const env = process.env;

function hasClassroomFlag() {
  if (env.FACEWATCH_URL) return true;
  const r = spawnSync(BIN, ['serve', '-h'], { encoding: 'utf8' });
  return /-classroom/.test((r.stdout || '') + (r.stderr || ''));
}

async function startClassroomServer() {
  if (env.FACEWATCH_URL) return { url: env.FACEWATCH_URL.replace(/\/?$/, '/'), stop: async () => {} };
  const child = spawn(BIN, ['serve', '-addr', '127.0.0.1:0', '-dir', SITE, '-classroom'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no URL in 15 s: ' + stderr)), 15000);
    lines.on('line', (l) => { const m = l.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) { clearTimeout(timer); resolve(m[0]); } });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited (${code}): ${stderr}`)); });
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

// Two "look-alike" embeddings (distance about 0.26) and their distance,
// computed here independently of the server.
const A = Array.from({ length: 128 }, (_, i) => Math.round(0.1 * Math.sin(i + 1) * 1e6) / 1e6);
const B = A.map((x, i) => Math.round((x + 0.032 * Math.cos(7 * i)) * 1e6) / 1e6);
const DIST = Math.sqrt(A.reduce((s, x, i) => s + (x - B[i]) ** 2, 0));

const state = (page) => page.evaluate(() => window.facewatchClassroom);
const until = (page, fn, arg, what) => page.waitForFunction(fn, arg, { timeout: 10000, polling: 50 })
  .catch(async (e) => { throw new Error(`${what}: ${e.message}; state ${JSON.stringify(await state(page))}`); });

// frames records every websocket frame a page sends, in full.
function frames(page) {
  const sent = [];
  page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => sent.push({ url: ws.url(), text: String(payload) })));
  return sent;
}

let server, browser;
const enabled = hasClassroomFlag();
before(async () => {
  if (!enabled) return;
  server = await startClassroomServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('teacher and two students: join, opt in, matrix, slider, withdraw, end', { skip: !enabled && 'facewatch serve has no -classroom flag yet', timeout: 90000 }, async () => {
  const t = await newPage(browser, { camera: false });
  await t.page.goto(server.url + 'classroom/teach.html');
  await t.page.click('#create');
  await until(t.page, () => window.facewatchClassroom.code.length === 8, null, 'room code');
  const ts = await state(t.page);
  assert.match(ts.joinURL, /\/classroom\/join\.html#[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  assert.ok(await t.page.locator('#qr').evaluate((img) => img.complete && img.naturalWidth > 100), 'QR image shown');

  // The state object is read-only.
  await t.page.evaluate(() => { try { window.facewatchClassroom.code = 'x'; } catch (_) { /* frozen */ } });
  assert.equal((await state(t.page)).code, ts.code);

  const students = [];
  for (const [nick, vec] of [['Mina', A], ['Joon', B]]) {
    const s = await newPage(browser, { camera: false });
    s.sent = frames(s.page);
    // The code as it comes in the QR link: in the fragment.
    await s.page.goto(ts.joinURL.replace(/^https?:\/\/[^/]+\//, server.url) .replace('join.html#', 'join.html?test-hooks=1#'));
    assert.equal(await s.page.inputValue('#code'), ts.display);
    await s.page.fill('#nick', nick);
    await s.page.click('#join-button');
    await until(s.page, () => window.facewatchClassroom.id !== '', null, `${nick} joined`);
    s.vec = vec;
    students.push(s);
  }
  await until(t.page, () => window.facewatchClassroom.students.length === 2, null, 'roster of 2');
  assert.deepEqual((await state(t.page)).students.map((x) => x.nick), ['Mina', 'Joon']);

  // Nothing shared until Share is pressed, even with numbers computed.
  for (const s of students) {
    await s.page.evaluate((v) => window.facewatchClassroomTest.setEmbedding(v), s.vec);
    assert.equal((await state(s.page)).embeddingReady, true);
    assert.ok(!s.sent.some((f) => f.text.includes('embedding')), 'embedding sent before opt-in');
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await state(t.page)).matrixIds.length, 0);

  for (const s of students) {
    await s.page.click('#share');
    await until(s.page, () => window.facewatchClassroom.shared, null, 'shared');
  }
  await until(t.page, () => window.facewatchClassroom.matrixIds.length === 2, null, 'matrix of 2');
  const tm = await state(t.page);
  assert.ok(Math.abs(tm.distances[0] - DIST) < 2e-4, `distance ${tm.distances[0]}, want ${DIST}`);
  assert.equal(tm.falseMatches, DIST < 0.6 ? 1 : 0);

  // Scenes: students follow.
  await t.page.click('#scene-threshold');
  for (const s of students) await until(s.page, () => window.facewatchClassroom.scene === 'threshold', null, 'scene');
  // The slider: below the pair's distance no false match, above it one.
  for (const [v, want] of [[0.2, 0], [0.6, 1]]) {
    await t.page.locator('#threshold').fill(String(v));
    await until(t.page, (w) => window.facewatchClassroom.falseMatches === w, want, `false matches at ${v}`);
    assert.equal(await t.page.textContent('#false-matches'), String(want));
  }
  await t.page.click('#scene-scale');
  await until(t.page, () => !document.getElementById('view-scale').hidden, null, 'scale view');
  await screenshot(t.page, 'classroom-teacher-scale');

  // Withdrawal erases the numbers from the teacher's screen at once.
  await students[1].page.click('#withdraw');
  await until(t.page, () => window.facewatchClassroom.matrixIds.length === 1, null, 'matrix after withdrawal');
  await until(students[0].page, () => window.facewatchClassroom.sharing === 1, null, 'sharing count');

  // The end: everyone sees it.
  await t.page.click('#end');
  await t.page.click('#end-confirm');
  for (const s of students) {
    await until(s.page, () => window.facewatchClassroom.ended === 'ended', null, 'ended');
    assert.ok(await s.page.isVisible('#over'));
  }

  // What left the student pages: only small classroom JSON to this server,
  // no image bytes; each share carried exactly 128 numbers.
  for (const s of students) {
    for (const f of s.sent) {
      assert.ok(isLoopback(f.url), f.url);
      assert.equal(classifyPayload(Buffer.from(f.text)), null, f.text.slice(0, 60));
      const m = JSON.parse(f.text);
      assert.equal(m.v, 1);
      if (m.type === 'share') assert.equal(m.embedding.length, 128);
      assert.ok(['join', 'share', 'withdraw', 'leave', 'resume'].includes(m.type), m.type);
    }
  }
  for (const p of [t, ...students]) assert.deepEqual(p.rec.errors, []);
});

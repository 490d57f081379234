// The classroom pages in a real browser, on "facewatch serve -classroom".
//
// 1. Two students whose cameras show two different people: two Chromium
//    instances, one with out/clips/one-face.y4m (pigo's sample face) as its
//    fake webcam, one with out/clips/other-face.y4m (the astronaut). Each
//    join page computes its face's 128 numbers in the playground's worker
//    (facelib in wasm), shows them to the student, and sends them only when
//    Share is pressed. The numbers that leave are checked against facewatch
//    embed's own (native) embeddings of the two source photos, the teacher's
//    matrix against the distance of the numbers that left, and the students'
//    pages follow the teacher through every scene; withdrawal and the end
//    erase everything on the teacher's screen; the privacy recorder sees no
//    image bytes leave, and nothing at all before opt-in.
// 2. A fuller class on the projector (1280x720): twelve more students join
//    over plain websockets with the real embeddings of the faces in
//    assets/testdata (facewatch embed), and the teacher's false-match count
//    at each threshold and the closest pair are checked against the same
//    numbers computed here.
// 3. The pages in Korean, chosen from the browser's language, and switched.
// 4. "facewatch serve" without -classroom: both pages say so and how to
//    start it.
//
// Screenshots: ci-artifacts/screenshots/classroom-*.png. With FACEWATCH_URL
// it tests a server already running with the classroom mounted (test 4 is
// then skipped).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, ROOT, startServer, launch, newPage, isLoopback, pageRecord, screenshot, measure } from './lib.mjs';
import { privacyProblems } from './privacy.mjs';

const env = process.env;
const SCENES = ['lobby', 'share', 'matrix', 'pairs', 'threshold', 'gates', 'scale', 'discuss'];
const MSG = Object.fromEntries(['en', 'ko'].map((l) => [l, JSON.parse(fs.readFileSync(path.join(ROOT, 'playground/classroom/i18n', `${l}.json`), 'utf8'))]));
const PROJECTOR = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };

function hasClassroomFlag() {
  if (env.FACEWATCH_URL) return true;
  const r = spawnSync(BIN, ['serve', '-h'], { encoding: 'utf8' });
  return /-classroom/.test((r.stdout || '') + (r.stderr || ''));
}

// nativeFaces runs "facewatch embed" on images and returns every face whose
// eyes were found, with its embedding, in file and face order.
function nativeFaces(files) {
  const r = spawnSync(BIN, ['embed', ...files], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `facewatch embed: ${r.stderr}`);
  const out = [];
  for (const img of JSON.parse(r.stdout).images) {
    img.faces.forEach((f, i) => { if (f.eyes_found) out.push({ file: path.basename(img.file), face: i, e: f.embedding }); });
  }
  return out;
}

const dist = (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
// The teacher receives each distance rounded down to a multiple of STEP
// (classroom.DistanceBin); binOK accepts either side of an edge within
// float32 error.
const STEP = 0.05;
const binOf = (d) => Math.floor(d / STEP + 1e-9) * STEP;
const binOK = (got, d) => [d - 1e-4, d, d + 1e-4].some((x) => Math.abs(got - binOf(x)) < 1e-6);
const round6 = (v) => v.map((x) => Math.round(x * 1e6) / 1e6);

const state = (page) => page.evaluate(() => window.facewatchClassroom);
const until = (page, fn, arg, what, timeout = 15000) => page.waitForFunction(fn, arg, { timeout, polling: 50 })
  .catch(async (e) => { throw new Error(`${what}: ${e.message}; state ${JSON.stringify(await state(page).catch(() => null))}`); });

// wsLog records, in order, the full text of every websocket frame a page
// sends and receives (lib's recorder keeps only the first bytes).
function wsLog(page) {
  const log = { sent: [], received: [] };
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => log.sent.push({ url: ws.url(), text: String(payload) }));
    ws.on('framereceived', ({ payload }) => log.received.push(String(payload)));
  });
  return log;
}

// carriesNumbers reports whether a JSON message holds an embedding: an
// "embedding" field or any array of 128 numbers, at any depth.
function carriesNumbers(text) {
  const walk = (v) => {
    if (Array.isArray(v)) return (v.length === 128 && v.every((x) => typeof x === 'number')) || v.some(walk);
    if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => k === 'embedding' || walk(x));
    return false;
  };
  return walk(JSON.parse(text));
}

// untranslated lists visible texts that are message keys rather than words.
const untranslated = (page) => page.evaluate(() => {
  const bad = document.body.innerText.match(/\b(?:teach|join|scene|status|error|lang|brand)\.[a-zA-Z][\w.]*/g) || [];
  return bad.filter((k) => !k.startsWith('join.html'));
});

let server, browserA, browserB;
const enabled = hasClassroomFlag();
before(async () => {
  if (!enabled) return;
  server = await startServer({ args: ['-classroom'] });
  // Two machines, two cameras, two people.
  browserA = await launch({ camera: 'one-face' });
  browserB = await launch({ camera: 'other-face' });
});
after(async () => {
  await browserA?.close();
  await browserB?.close();
  await server?.stop();
});

async function openTeacher(browser) {
  const t = await newPage(browser, { camera: false });
  await t.page.setViewportSize(PROJECTOR);
  t.ws = wsLog(t.page);
  await t.page.goto(server.url + 'teach?lang=en');
  await t.page.click('#create');
  await until(t.page, () => window.facewatchClassroom.code.length === 8, null, 'room code');
  return t;
}

test('two students, two cameras, two faces: real numbers, opt-in, scenes, withdraw, end', { skip: !enabled && 'facewatch serve has no -classroom flag', timeout: 300000 }, async () => {
  const [refA, refB] = nativeFaces(['assets/testdata/pigo-sample.jpg', 'assets/testdata/astronaut.png']).map((f) => f.e);
  const refDist = dist(refA, refB);
  measure('native distance pigo-sample ↔ astronaut', refDist.toFixed(4));

  const t = await openTeacher(browserA);
  const ts = await state(t.page);
  assert.match(ts.joinURL, /\/classroom\/join\.html#[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  assert.ok(await t.page.locator('#qr').evaluate((img) => img.complete && img.naturalWidth > 100), 'QR image shown');
  await screenshot(t.page, 'classroom-teacher-lobby-empty');

  // The state object is read-only.
  await t.page.evaluate(() => { try { window.facewatchClassroom.code = 'x'; } catch (_) { /* frozen */ } });
  assert.equal((await state(t.page)).code, ts.code);

  // Mina's device shows pigo's sample face and speaks English; Joon's
  // shows the astronaut and speaks Korean.
  const students = [];
  for (const [nick, browser, lang, ref] of [['Mina', browserA, 'en', refA], ['Joon', browserB, 'ko', refB]]) {
    const s = await newPage(browser, { camera: true });
    await s.page.setViewportSize(PHONE);
    s.ws = wsLog(s.page);
    Object.assign(s, { nick, lang, ref });
    // The link as it comes in the QR code: the code in the fragment.
    await s.page.goto(ts.joinURL.replace(/^https?:\/\/[^/]+\//, server.url).replace('join.html#', `join.html?lang=${lang}#`));
    await until(s.page, (l) => document.documentElement.lang === l, lang, `${nick}'s page language`);
    assert.equal(await s.page.inputValue('#code'), ts.display);
    await s.page.fill('#nick', nick);
    await s.page.click('#join-button');
    await until(s.page, () => window.facewatchClassroom.id !== '', null, `${nick} joined`);
    students.push(s);
  }
  await until(t.page, () => window.facewatchClassroom.students.length === 2, null, 'roster of 2');
  assert.deepEqual((await state(t.page)).students.map((x) => x.nick), ['Mina', 'Joon']);
  await screenshot(students[0].page, 'classroom-student-joined');

  // Each device computes its numbers from its own camera, at the same time.
  const started = Date.now();
  await Promise.all(students.map(async (s) => {
    await s.page.click('#camera');
    await until(s.page, () => ['done', 'failed'].includes(window.facewatchClassroom.camera), null, `${s.nick}'s numbers`, 180000);
    const st = await state(s.page);
    assert.equal(st.camera, 'done', `${s.nick}: ${st.cameraError}`);
    assert.equal(st.embeddingReady, true);
    assert.equal(st.samples, 5);
  }));
  measure('both students\' numbers computed (models loaded, 5 frames each)', `${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const s of students) {
    // The student sees what would be shared: the chip it came from (local),
    // the strip and the numbers themselves.
    assert.ok(await s.page.isVisible('#mine'));
    const chipPixels = await s.page.locator('#chip').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) lit++;
      return lit;
    });
    assert.equal(chipPixels, 150 * 150, `${s.nick}: the face chip is drawn`);
    const shown = (await s.page.textContent('#numbers-all')).trim().split(/\s+/);
    assert.equal(shown.length, 128, `${s.nick}: all 128 numbers shown`);
    assert.equal(await s.page.textContent('#sharing-status'), MSG[s.lang]['join.status.none']);
    assert.deepEqual(await untranslated(s.page), []);
  }
  await screenshot(students[0].page, 'classroom-student-computed');
  await screenshot(students[1].page, 'classroom-student-computed-ko');

  // Nothing has left either device but the join message: no numbers
  // before opt-in, even though they are computed.
  for (const s of students) {
    assert.deepEqual(s.ws.sent.map((f) => JSON.parse(f.text).type), ['join'], `${s.nick} sent only the join`);
    assert.deepEqual(s.rec.requests.filter((r) => r.size > 0 || r.unreadable).map((r) => r.url), [], `${s.nick}: no request bodies`);
  }
  await t.page.waitForTimeout(300);
  assert.equal((await state(t.page)).matrixIds.length, 0);

  // Opt in.
  for (const s of students) {
    await s.page.click('#share');
    await until(s.page, () => window.facewatchClassroom.shared, null, `${s.nick} shared`);
    assert.equal(await s.page.textContent('#sharing-status'), MSG[s.lang]['join.status.shared']);
  }
  await until(t.page, () => window.facewatchClassroom.matrixIds.length === 2, null, 'matrix of 2');

  // The numbers that left are this camera's face: close to facewatch
  // embed's numbers for the photo in the clip, far from the other person's.
  const shared = students.map((s) => {
    const shares = s.ws.sent.map((f) => JSON.parse(f.text)).filter((m) => m.type === 'share');
    assert.equal(shares.length, 1, `${s.nick}: one share`);
    const e = shares[0].embedding;
    assert.equal(e.length, 128);
    assert.ok(e.every(Number.isFinite));
    const same = dist(e, s.ref), other = dist(e, s.ref === refA ? refB : refA);
    measure(`${s.nick}: distance to own photo / to the other photo (facewatch embed)`, `${same.toFixed(4)} / ${other.toFixed(4)}`);
    assert.ok(same < 0.3, `${s.nick}: ${same} from the native embedding of the same face`);
    assert.ok(other > 0.6, `${s.nick}: ${other} from the other face`);
    return e;
  });
  const d = dist(shared[0], shared[1]);
  const tm = await state(t.page);
  measure('Mina ↔ Joon on the teacher\'s screen', `${tm.distances[0]} (from the numbers sent: ${d.toFixed(4)}; native photos: ${refDist.toFixed(4)})`);
  assert.ok(binOK(tm.distances[0], d), `teacher shows ${tm.distances[0]}, the numbers sent give ${d} (bins of ${STEP})`);
  assert.ok(d > 0.6 && d < 1.2, `two different people: ${d}`);
  assert.ok(Math.abs(d - refDist) < 0.15, `browser ${d} vs native ${refDist}`);
  assert.equal(tm.falseMatches, 0, 'two different people are no match at 0.60');
  // The teacher receives distances and nicknames, never numbers; a student
  // never receives anyone else's nickname.
  assert.ok(t.ws.received.length > 0 && !t.ws.received.some(carriesNumbers), 'an embedding reached the teacher');
  for (const s of students) assert.ok(!s.ws.received.some(carriesNumbers), `an embedding reached ${s.nick}`);
  assert.ok(!students[0].ws.received.some((x) => x.includes('Joon')) && !students[1].ws.received.some((x) => x.includes('Mina')));

  // Every scene: the students' pages follow, in their own language.
  for (const sc of SCENES) {
    await t.page.click(`#scene-${sc}`);
    await until(t.page, (x) => window.facewatchClassroom.scene === x && !document.getElementById(`view-${x}`).hidden, sc, `teacher on ${sc}`);
    for (const s of students) {
      await until(s.page, (x) => window.facewatchClassroom.scene === x, sc, `${s.nick} follows to ${sc}`);
      assert.ok((await s.page.textContent('#scene-title')).endsWith(MSG[s.lang][`scene.${sc}`]), `${s.nick}'s heading on ${sc}`);
      assert.equal(await s.page.textContent('#scene-text'), MSG[s.lang][`join.scene.${sc}`]);
    }
    assert.deepEqual(await untranslated(t.page), [], `teacher on ${sc}`);
    if (sc === 'threshold') {
      // The slider: below the pair's distance no false match, above it one.
      for (const [v, want] of [[0.2, 0], [Math.min(1, Math.round((binOf(d) + STEP) * 100) / 100), 1]]) {
        await t.page.locator('#threshold').fill(String(v));
        await until(t.page, (w) => window.facewatchClassroom.falseMatches === w, want, `false matches at ${v}`);
        assert.equal(await t.page.textContent('#false-matches'), String(want));
      }
      await t.page.locator('#threshold').fill('0.6');
    }
    await screenshot(t.page, `classroom-teacher-two-${sc}`);
    if (['share', 'matrix', 'discuss'].includes(sc)) {
      await students[1].page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(students[1].page, `classroom-student-ko-${sc}`);
    }
  }
  await students[0].page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(students[0].page, 'classroom-student-discuss');

  // Withdrawal erases Joon's numbers from the teacher's screen at once.
  await students[1].page.click('#withdraw');
  await until(t.page, () => window.facewatchClassroom.matrixIds.length === 1, null, 'matrix after withdrawal');
  assert.equal((await state(t.page)).students.find((x) => x.nick === 'Joon').shared, false);
  await until(students[0].page, () => window.facewatchClassroom.sharing === 1, null, 'sharing count');
  await until(students[1].page, () => !window.facewatchClassroom.shared, null, 'Joon withdrawn');
  assert.equal(await t.page.locator('#roster li.shared').count(), 1);

  // The end: every screen is cleared.
  await t.page.click('#end');
  await t.page.click('#end-confirm');
  for (const s of students) {
    await until(s.page, () => window.facewatchClassroom.ended === 'ended', null, 'ended');
    assert.ok(await s.page.isVisible('#over'));
    assert.equal((await state(s.page)).embeddingReady, false, 'the local numbers are forgotten too');
  }
  await until(t.page, () => window.facewatchClassroom.ended === 'ended', null, 'teacher ended');
  const te = await state(t.page);
  assert.deepEqual([te.students, te.matrixIds, te.distances], [[], [], []]);
  assert.ok(await t.page.isVisible('#over'));
  assert.equal(await t.page.locator('#roster li').count(), 0);
  await screenshot(t.page, 'classroom-teacher-over');

  // What left the student pages: small classroom JSON to this server, no
  // image bytes, and the 128 numbers only in the one share after opt-in.
  for (const s of students) {
    const r = await pageRecord(s.page);
    assert.deepEqual(privacyProblems(s.rec, r.sends), [], `${s.nick}: privacy`);
    assert.ok(s.rec.wsFrames.length > 0, 'the recorder saw the websocket frames');
    const types = s.ws.sent.map((f) => JSON.parse(f.text).type);
    assert.deepEqual(types.filter((x) => x !== 'withdraw'), ['join', 'share'], `${s.nick} sent ${types}`);
    for (const f of s.ws.sent) {
      assert.ok(isLoopback(f.url), f.url);
      const m = JSON.parse(f.text);
      assert.equal(m.v, 1);
      assert.equal(carriesNumbers(f.text), m.type === 'share', f.text.slice(0, 60));
    }
    assert.deepEqual(s.rec.requests.filter((q) => q.size > 0 || q.unreadable).map((q) => q.url), [], `${s.nick}: no request bodies`);
  }
  for (const p of [t, ...students]) assert.deepEqual(p.rec.errors, []);
  await Promise.all([t, ...students].map((p) => p.context.close()));
});

test('a fuller class on the projector: real embeddings of twelve faces, false matches at each threshold', { skip: !enabled && 'facewatch serve has no -classroom flag', timeout: 120000 }, async () => {
  const files = [1, 2, 3, 4, 5, 6].map((i) => `assets/testdata/faceapi-sample${i}.jpg`);
  const NICKS = ['Ari', 'Bora', 'Chan', 'Dana', 'Eun', 'Finn', 'Gyu', 'Hana', 'Ian', 'Jae', 'Kai', 'Lena'];
  const faces = nativeFaces(files).slice(0, NICKS.length);
  assert.equal(faces.length, NICKS.length, 'enough faces with eyes in assets/testdata');
  const people = faces.map((f, i) => ({ nick: NICKS[i], e: round6(f.e) }));
  // Every pair's distance, computed here from the numbers sent.
  const pairs = [];
  for (let i = 0; i < people.length; i++) for (let j = i + 1; j < people.length; j++) pairs.push({ a: people[i].nick, b: people[j].nick, d: dist(people[i].e, people[j].e) });
  pairs.sort((x, y) => x.d - y.d);
  measure('closest pair among the test faces', `${pairs[0].a}–${pairs[0].b} ${pairs[0].d.toFixed(4)}`);

  const t = await openTeacher(browserA);
  const { code } = await state(t.page);
  // The class joins over plain websockets from a page of this origin.
  const c = await browserA.newContext();
  const helper = await c.newPage();
  await helper.goto(server.url + 'classroom/join.html?lang=en');
  await helper.evaluate(async ({ code, people }) => {
    window.__socks = [];
    for (const p of people) {
      const ws = new WebSocket(`ws://${location.host}/classroom/ws`);
      await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error('websocket')); });
      const reply = new Promise((res) => { ws.onmessage = (ev) => { const m = JSON.parse(ev.data); if (m.type === 'welcome' || m.type === 'error') res(m); }; });
      ws.send(JSON.stringify({ v: 1, type: 'join', code, nick: p.nick }));
      const m = await reply;
      if (m.type !== 'welcome') throw new Error(`${p.nick}: ${JSON.stringify(m)}`);
      ws.send(JSON.stringify({ v: 1, type: 'share', embedding: p.e }));
      window.__socks.push(ws);
    }
  }, { code, people });
  await until(t.page, (n) => window.facewatchClassroom.matrixIds.length === n, people.length, 'everyone in the matrix');
  await screenshot(t.page, 'classroom-teacher-lobby');

  const tm = await state(t.page);
  assert.equal(tm.distances.length, pairs.length);
  // The server's distances, in bins of 0.05, are the ones computed here.
  const byNick = (id) => tm.students.find((s) => s.id === id).nick;
  let k = 0;
  for (let i = 0; i < tm.matrixIds.length; i++) {
    for (let j = i + 1; j < tm.matrixIds.length; j++, k++) {
      const want = pairs.find((p) => (p.a === byNick(tm.matrixIds[i]) && p.b === byNick(tm.matrixIds[j])) || (p.b === byNick(tm.matrixIds[i]) && p.a === byNick(tm.matrixIds[j]))).d;
      assert.ok(binOK(tm.distances[k], want), `${byNick(tm.matrixIds[i])}–${byNick(tm.matrixIds[j])}: ${tm.distances[k]} vs ${want}`);
    }
  }

  for (const sc of ['matrix', 'pairs', 'threshold', 'scale', 'discuss']) {
    await t.page.click(`#scene-${sc}`);
    await until(t.page, (x) => !document.getElementById(`view-${x}`).hidden, sc, sc);
    if (sc === 'pairs') {
      const first = await t.page.locator('#pairs tr').first().locator('td').allTextContents();
      // Pairs in the same step of 0.05 are tied: the first row is one of
      // the pairs in the closest step.
      const lo = binOf(pairs[0].d);
      const tied = pairs.filter((p) => binOK(lo, p.d)).map((p) => [p.a, p.b].sort().join('–'));
      assert.ok(tied.includes(first.slice(0, 2).sort().join('–')), `the first row ${first} is not among the closest pairs ${tied}`);
      assert.equal(first[2], `${lo.toFixed(2)}–${(lo + STEP).toFixed(2)}`);
    }
    if (sc === 'threshold') {
      for (const v of [0.4, 0.5, 0.6, 0.7]) {
        const want = pairs.filter((p) => p.d < v).length;
        await t.page.locator('#threshold').fill(String(v));
        await until(t.page, (w) => window.facewatchClassroom.falseMatches === w, want, `false matches at ${v}`);
        measure(`false matches at ${v.toFixed(2)}`, `${want} of ${pairs.length} pairs`);
      }
      await t.page.locator('#threshold').fill('0.6');
    }
    await screenshot(t.page, `classroom-teacher-${sc}`);
    assert.deepEqual(await untranslated(t.page), []);
  }
  // The projected page fits the projector: no horizontal scrolling.
  assert.ok(await t.page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no horizontal scroll at 1280x720');

  await t.page.click('#end');
  await t.page.click('#end-confirm');
  await until(helper, () => window.__socks.every((ws) => ws.readyState === WebSocket.CLOSED), null, 'every student disconnected at the end');
  assert.deepEqual(t.rec.errors, []);
  await c.close();
  await t.context.close();
});

test('Korean from the browser\'s language, switchable, on both pages', { skip: !enabled && 'facewatch serve has no -classroom flag', timeout: 60000 }, async () => {
  const c = await browserA.newContext({ locale: 'ko-KR', viewport: PHONE });
  const errors = [];
  c.on('weberror', (e) => errors.push(e.error().message));
  const page = await c.newPage();
  for (const [file, key] of [['teach.html', 'teach.start.h'], ['join.html', 'join.h']]) {
    await page.goto(server.url + 'classroom/' + file);
    await until(page, () => document.documentElement.lang === 'ko', null, `${file} in Korean`);
    assert.equal(await page.textContent('h1:visible'), MSG.ko[key]);
    // Every element that names a message shows it.
    const wrong = await page.evaluate((ko) => [...document.querySelectorAll('[data-i18n]')]
      .filter((el) => el.textContent !== ko[el.dataset.i18n]).map((el) => el.dataset.i18n), MSG.ko);
    assert.deepEqual(wrong, []);
    assert.equal(await page.getAttribute('[data-lang="ko"]', 'aria-pressed'), 'true');
    await screenshot(page, `classroom-${file.replace('.html', '')}-ko`);
    await page.click('[data-lang="en"]');
    await until(page, () => document.documentElement.lang === 'en', null, `${file} switched to English`);
    assert.equal(await page.textContent('h1:visible'), MSG.en[key]);
    assert.equal(await page.title(), MSG.en[file === 'teach.html' ? 'teach.title' : 'join.title']);
    await page.click('[data-lang="ko"]');
    await until(page, () => document.documentElement.lang === 'ko', null, `${file} back to Korean`);
  }
  assert.deepEqual(errors, []);
  await c.close();
});

test('without -classroom both pages say how to start the classroom server', { skip: (!enabled || env.FACEWATCH_URL) && 'needs its own facewatch serve', timeout: 60000 }, async () => {
  const plain = await startServer();
  try {
    const t = await newPage(browserA, { camera: false });
    await t.page.setViewportSize(PROJECTOR);
    await t.page.goto(plain.url + 'classroom/teach.html?lang=en');
    await until(t.page, () => window.facewatchClassroom.offline, null, 'teacher page notices');
    assert.ok(await t.page.isVisible('#offline'));
    assert.ok(!(await t.page.isVisible('#start')), 'no Start button without a server');
    assert.match(await t.page.textContent('#offline'), /facewatch serve -classroom/);
    await screenshot(t.page, 'classroom-teacher-offline');
    const s = await newPage(browserA, { camera: false });
    await s.page.setViewportSize(PHONE);
    await s.page.goto(plain.url + 'classroom/join.html?lang=ko#ABCD-EFGH');
    await until(s.page, () => window.facewatchClassroom.offline, null, 'join page notices');
    assert.equal(await s.page.textContent('#offline h1'), MSG.ko['join.offline.h']);
    assert.ok(!(await s.page.isVisible('#join')));
    await screenshot(s.page, 'classroom-join-offline-ko');
    await Promise.all([t.context.close(), s.context.close()]);
  } finally {
    await plain.stop();
  }
});

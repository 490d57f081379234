// Gate cameras in a real browser, on "facewatch serve -classroom".
//
// Two Chromium instances are two places in the room: browser A's fake
// camera shows pigo's sample face (out/clips/one-face.y4m), browser B's
// shows that face beside the astronaut's (out/clips/two-faces.y4m). The
// teacher and Mina (who shares) and gate A are on browser A; Joon (who
// joins but does not share) and gate B are on browser B. Mina's face is
// seen at gate A, then (gate A switched off, as she walks on) at gate B,
// where the astronaut's face, which matches no one who shares, is seen too.
//
// Checked: the teacher's screen shows Mina's journey A → B with times and
// binned distances, on the map and in words; nothing of the stranger
// reaches anyone; the gates send nothing before their operator opts in,
// never an image, and receive nothing but their own state; Joon sees
// nothing of Mina's journey; "that wasn't me" marks the sighting on the
// teacher's screen; withdrawing and ending erase the journeys. Screenshots
// of the teacher, gate and student pages at 1280x800 and 390x844:
// ci-artifacts/screenshots/gates-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SHOTS, startServer, launch, newPage, screenshot, measure } from './lib.mjs';

const MSG = Object.fromEntries(['en', 'ko'].map((l) => [l, JSON.parse(fs.readFileSync(path.join(ROOT, 'playground/classroom/i18n', `${l}.json`), 'utf8'))]));
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const MODELS_MS = 240000; // a gate or a student loads the recognition network on a shared machine

const dist = (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
const STEP = 0.05;
const binOf = (d) => Math.floor(d / STEP + 1e-9) * STEP;

const cls = (page) => page.evaluate(() => window.facewatchClassroom);
const gst = (page) => page.evaluate(() => window.facewatchGate);
const until = (page, fn, arg, what, timeout = 20000) => page.waitForFunction(fn, arg, { timeout, polling: 100 })
  .catch(async (e) => {
    const st = await page.evaluate(() => window.facewatchGate || window.facewatchClassroom).catch(() => null);
    throw new Error(`${what}: ${e.message}; state ${JSON.stringify(st)}`);
  });

// wsLog records the full text of every websocket frame a page sends and receives.
function wsLog(page) {
  const log = { sent: [], received: [] };
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => log.sent.push(String(payload)));
    ws.on('framereceived', ({ payload }) => log.received.push(String(payload)));
  });
  return log;
}
const parsed = (list) => list.map((x) => JSON.parse(x));

const untranslated = (page) => page.evaluate(() => document.body.innerText.match(/\b(?:teach|join|gate|scene|status|error|lang|brand)\.[a-zA-Z][\w.]*/g) || [])
  .then((l) => l.filter((k) => !/^(join|gate)\.html/.test(k)));

// journeyOf returns the journey of nick as the teacher's page holds it.
const journeyOf = (st, nick) => (st.students.find((s) => s.nick === nick) || { journey: [] }).journey;

async function shots(page, name) {
  for (const [size, tag] of [[LAPTOP, 'laptop'], [PHONE, 'phone']]) {
    await page.setViewportSize(size);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(150);
    // The phone's whole page, to see what is below the fold.
    if (tag === 'phone') await page.screenshot({ path: path.join(SHOTS, `gates-${name}-${tag}.png`), fullPage: true });
    else await screenshot(page, `gates-${name}-${tag}`);
    // Nothing is wider than the screen.
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(over <= 1, `${name} at ${size.width}px is ${over}px too wide`);
  }
}

// axeCheck runs axe-core (tools/node_modules) over the parts of a page the
// gates added and fails on serious or critical violations. page.evaluate
// is not subject to the page's CSP, which forbids injected scripts.
const AXE = fs.readFileSync(path.join(ROOT, 'tools/node_modules/axe-core/axe.min.js'), 'utf8');
async function axeCheck(page, include, what) {
  await page.evaluate(AXE);
  const found = await page.evaluate((inc) => window.axe.run({ include: inc }, { resultTypes: ['violations'] })
    .then((r) => r.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)), include);
  assert.deepEqual(found, [], `axe on ${what}`);
}

let server, browserA, browserB;
before(async () => {
  server = await startServer({ args: ['-classroom'] });
  browserA = await launch({ camera: 'one-face' });
  browserB = await launch({ camera: 'two-faces' });
});
after(async () => {
  await browserA?.close();
  await browserB?.close();
  await server?.stop();
});

async function openGate(browser, gateURL) {
  const g = await newPage(browser, { camera: true });
  await g.page.setViewportSize(PHONE);
  g.ws = wsLog(g.page);
  g.page.on('console', (m) => { if (m.type() === 'warning') console.log(`gate page: ${m.text()}`); });
  await g.page.goto(gateURL.replace(/^https?:\/\/[^/]+\//, server.url).replace('gate.html#', 'gate.html?lang=en#'));
  await g.page.click('#join-button');
  await until(g.page, () => window.facewatchGate.id !== '', null, 'gate joined');
  return g;
}

test('gates: a journey A → B, a stranger leaves nothing, "that wasn\'t me", withdraw and end erase', { timeout: 900000 }, async () => {
  // The teacher, on the laptop.
  const t = await newPage(browserA, { camera: false });
  await t.page.setViewportSize(LAPTOP);
  t.ws = wsLog(t.page);
  await t.page.goto(server.url + 'teach?lang=en');
  await t.page.click('#create');
  await until(t.page, () => window.facewatchClassroom.code.length === 8, null, 'room code');
  const ts = await cls(t.page);
  const gateURL = await t.page.getAttribute('#gate-url', 'href');
  assert.match(gateURL, /\/classroom\/gate\.html#[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  // /gate is redirected like /teach and /join.
  const r = await fetch(server.url + 'gate?lang=ko', { redirect: 'manual' });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), '/classroom/gate.html?lang=ko');

  // Mina shares; Joon joins and does not.
  const students = {};
  for (const [nick, browser] of [['Mina', browserA], ['Joon', browserB]]) {
    const s = await newPage(browser, { camera: true });
    await s.page.setViewportSize(PHONE);
    s.ws = wsLog(s.page);
    await s.page.goto(ts.joinURL.replace(/^https?:\/\/[^/]+\//, server.url).replace('join.html#', 'join.html?lang=en#'));
    await s.page.fill('#nick', nick);
    await s.page.click('#join-button');
    await until(s.page, () => window.facewatchClassroom.id !== '', null, `${nick} joined`);
    students[nick] = s;
  }
  const mina = students.Mina, joon = students.Joon;
  await mina.page.click('#camera');
  await until(mina.page, () => ['done', 'failed'].includes(window.facewatchClassroom.camera), null, 'Mina\'s numbers', MODELS_MS);
  assert.equal((await cls(mina.page)).camera, 'done');
  await mina.page.click('#share');
  await until(mina.page, () => window.facewatchClassroom.shared, null, 'Mina shared');
  const minaNumbers = parsed(mina.ws.sent).find((m) => m.type === 'share').embedding;

  await t.page.click('#scene-gates');
  await until(t.page, () => window.facewatchClassroom.scene === 'gates' && !document.getElementById('view-gates').hidden, null, 'gates scene');
  await until(mina.page, () => window.facewatchClassroom.scene === 'gates' && !document.getElementById('journey-box').hidden, null, 'Mina on the gates scene');
  assert.equal(await mina.page.textContent('#scene-text'), MSG.en['join.scene.gates']);

  // Gate A joins; before the teacher places it and its operator opts in,
  // it sends nothing but its hello, and its camera is closed.
  const ga = await openGate(browserA, gateURL);
  await until(t.page, () => window.facewatchClassroom.gates.length === 1, null, 'gate A on the teacher\'s screen');
  assert.ok(await ga.page.isDisabled('#watch'), 'the gate cannot be switched on before it is placed');
  await shots(ga.page, 'gate-waiting');
  await t.page.selectOption('#gate-devices select', 'A');
  await until(ga.page, () => window.facewatchGate.gate === 'A', null, 'gate A placed');
  assert.equal(await ga.page.textContent('#gate-name'), MSG.en['gate.name.A']);
  await ga.page.waitForTimeout(500);
  assert.deepEqual(parsed(ga.ws.sent).map((m) => m.type), ['gate'], 'gate A sent only its hello before opting in');
  assert.equal((await gst(ga.page)).camera, 'off');

  // The operator switches it on, by keyboard.
  await ga.page.focus('#watch');
  await ga.page.keyboard.press('Enter');
  const started = Date.now();
  await until(ga.page, () => window.facewatchGate.on && window.facewatchGate.camera === 'on', null, 'gate A watching', MODELS_MS);
  await until(t.page, () => {
    const s = window.facewatchClassroom.students.find((x) => x.nick === 'Mina');
    return s && s.journey.length === 1 && s.journey[0].gate === 'A';
  }, null, 'Mina seen at gate A', MODELS_MS);
  measure('gate A on → Mina sighted at A', `${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Mina walks on: gate A is switched off.
  await ga.page.click('#watch');
  await until(ga.page, () => !window.facewatchGate.on && window.facewatchGate.camera === 'off', null, 'gate A off');
  const sentA = parsed(ga.ws.sent).filter((m) => m.type === 'seen');
  assert.ok(sentA.length >= 1);
  for (const m of sentA) assert.ok(dist(m.embedding, minaNumbers) < 0.6, `gate A sent a face ${dist(m.embedding, minaNumbers)} from Mina's numbers`);

  // Gate B: Mina's face and a stranger's.
  const gb = await openGate(browserB, gateURL);
  await until(t.page, () => window.facewatchClassroom.gates.length === 2, null, 'gate B on the teacher\'s screen');
  const devB = (await cls(t.page)).gates.find((x) => x.gate === '').id;
  await t.page.selectOption(`#gate-select-${devB}`, 'B');
  await until(gb.page, () => window.facewatchGate.gate === 'B', null, 'gate B placed');
  await gb.page.click('#watch');
  await until(gb.page, () => window.facewatchGate.on, null, 'gate B watching', MODELS_MS);
  await until(t.page, () => {
    const s = window.facewatchClassroom.students.find((x) => x.nick === 'Mina');
    return s && s.journey.map((x) => x.gate).join('') === 'AB';
  }, null, 'Mina seen at gate B', MODELS_MS);
  // Wait until gate B has sent the stranger's numbers too.
  const strangers = () => parsed(gb.ws.sent).filter((m) => m.type === 'seen' && dist(m.embedding, minaNumbers) >= 0.6);
  const deadline = Date.now() + 60000;
  while (strangers().length === 0 && Date.now() < deadline) await gb.page.waitForTimeout(500);
  assert.ok(strangers().length > 0, 'gate B sent the stranger\'s numbers');
  const nearest = Math.min(...strangers().map((m) => dist(m.embedding, minaNumbers)));
  measure('gate B: the stranger\'s numbers to Mina\'s (nearest)', nearest.toFixed(3));
  await gb.page.waitForTimeout(1500);

  // The teacher's screen: Mina A → B, in order, with times and binned
  // distances; nobody else has a journey: the stranger left nothing.
  const tv = await cls(t.page);
  const j = journeyOf(tv, 'Mina');
  assert.deepEqual(j.map((x) => x.gate), ['A', 'B']);
  assert.ok(j[0].t <= j[1].t && j[1].t <= Date.now() + 1000, 'times in order');
  for (const x of j) {
    assert.ok(x.d >= 0 && x.d < 0.6 && Math.abs(x.d - binOf(x.d + 1e-6)) < 1e-6, `distance ${x.d} is binned to ${STEP} and under 0.6`);
    assert.equal(x.notMe, false);
  }
  const seenAtA = sentA.map((m) => dist(m.embedding, minaNumbers));
  assert.ok(seenAtA.some((d) => Math.abs(binOf(d) - j[0].d) < 1e-6 || Math.abs(binOf(d + 1e-4) - j[0].d) < 1e-6), `A's distance ${j[0].d} is one of the faces sent (${seenAtA})`);
  measure('Mina\'s journey on the teacher\'s screen', j.map((x) => `${x.gate} ${x.d}`).join(' → '));
  assert.deepEqual(tv.students.filter((s) => s.journey.length).map((s) => s.nick), ['Mina'], 'only Mina has a journey');
  const text = await t.page.textContent('#journeys li');
  assert.match(text, /^Mina: A \d\d:\d\d \(0[.,]\d\d\) → B \d\d:\d\d \(0[.,]\d\d\)$/);
  assert.equal(await t.page.locator('#gate-map circle.seen').count(), 2, 'two sightings on the map');
  assert.match(await t.page.textContent('#gate-map title'), /Mina: A \d\d:\d\d → B \d\d:\d\d/);
  assert.deepEqual(await untranslated(t.page), []);
  await shots(t.page, 'teacher-journey');
  await t.page.setViewportSize(LAPTOP);
  await axeCheck(t.page, [['#view-gates']], 'the teacher\'s gates scene');

  // Nothing but numbers leaves a gate, and only after opting in; a gate
  // receives its own state only: no distance, no name, no journey.
  for (const [name, g] of [['A', ga], ['B', gb]]) {
    const types = parsed(g.ws.sent).map((m) => m.type);
    assert.deepEqual(types.slice(0, 2), ['gate', 'watch'], `gate ${name} opted in before sending`);
    assert.ok(types.every((x) => ['gate', 'watch', 'seen'].includes(x)), `gate ${name} sent ${types}`);
    for (const m of parsed(g.ws.sent).filter((x) => x.type === 'seen')) assert.deepEqual(Object.keys(m).sort(), ['embedding', 'type', 'v']);
    assert.ok(g.rec.wsFrames.every((f) => f.verdict === null), `gate ${name} sent image-like bytes`);
    assert.deepEqual(g.rec.requests.filter((q) => q.size > 0 || q.unreadable).map((q) => q.url), [], `gate ${name}: no request bodies`);
    for (const raw of g.ws.received) {
      const m = JSON.parse(raw);
      assert.ok(['welcome', 'gatestate', 'error'].includes(m.type), `gate ${name} received ${raw}`);
      assert.ok(!/Mina|Joon|journey|"d"|matrix/.test(raw), `gate ${name} received ${raw}`);
      if (m.type === 'gatestate') assert.deepEqual(Object.keys(m).sort(), ['gate', 'id', 'on', 'scene', 'sent', 'type', 'v']);
    }
    const st = await gst(g.page);
    measure(`gate ${name}: frames, chips embedded, numbers sent, skipped`, `${st.frames}, ${st.embedded}, ${st.offered}, ${st.skipped}`);
  }
  await shots(gb.page, 'gate-watching');
  await axeCheck(gb.page, [['main']], 'the gate page');

  // Mina sees her own journey; Joon sees none and nothing of Mina.
  await until(mina.page, () => window.facewatchClassroom.journey.length === 2, null, 'Mina\'s own journey');
  assert.equal(await mina.page.locator('#journey li').count(), 2);
  assert.equal((await cls(joon.page)).journey.length, 0);
  assert.ok(await joon.page.isHidden('#journey-box'));
  assert.ok(!joon.ws.received.some((x) => x.includes('Mina') || /"journey":\[\{/.test(x)), 'Joon received Mina\'s journey');
  await shots(mina.page, 'student-journey');
  await axeCheck(mina.page, [['#journey-box']], 'Mina\'s journey');

  // "That wasn't me" on the sighting at B, by keyboard.
  const notMe = mina.page.locator('#journey li').nth(1).locator('button');
  await notMe.focus();
  await mina.page.keyboard.press('Enter');
  await until(t.page, () => {
    const s = window.facewatchClassroom.students.find((x) => x.nick === 'Mina');
    return s && s.journey.length === 2 && s.journey[1].notMe && !s.journey[0].notMe;
  }, null, 'marked on the teacher\'s screen');
  await until(t.page, () => document.querySelectorAll('#journeys .sighting.notme').length === 1, null, 'marked in the journey');
  assert.match(await t.page.textContent('#journeys .sighting.notme'), new RegExp(MSG.en['teach.gates.notMe'].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.equal(await t.page.locator('#gate-map path.notme').count(), 1, 'a cross on the map');
  await until(mina.page, () => document.querySelectorAll('#journey li.notme').length === 1, null, 'marked on Mina\'s page');
  await shots(t.page, 'teacher-misidentified');
  await shots(mina.page, 'student-misidentified');

  // Withdrawing erases Mina's journey everywhere.
  await mina.page.click('#withdraw');
  await until(t.page, () => window.facewatchClassroom.students.every((s) => s.journey.length === 0), null, 'journeys erased on withdrawal');
  await until(t.page, () => document.querySelectorAll('#journeys li').length === 0 && !document.getElementById('journeys-none').hidden, null, 'journey list empty');
  await until(mina.page, () => window.facewatchClassroom.journey.length === 0 && !window.facewatchClassroom.shared, null, 'Mina\'s journey erased');

  // She shares again and gate B, still watching, sees her: then the end
  // erases that journey too.
  await mina.page.click('#share');
  await until(t.page, () => {
    const s = window.facewatchClassroom.students.find((x) => x.nick === 'Mina');
    return s && s.journey.length === 1 && s.journey[0].gate === 'B';
  }, null, 'Mina seen at B again', 120000);
  await t.page.click('#end');
  await t.page.click('#end-confirm');
  await until(t.page, () => window.facewatchClassroom.ended === 'ended', null, 'ended');
  const after = await cls(t.page);
  assert.deepEqual([after.students.length, after.gates.length], [0, 0]);
  assert.equal(await t.page.locator('#journeys li').count(), 0);
  for (const g of [ga, gb]) {
    await until(g.page, () => window.facewatchGate.ended === 'ended' && window.facewatchGate.camera !== 'on', null, 'gate told');
    assert.ok(await g.page.isVisible('#over'));
  }
  await until(mina.page, () => window.facewatchClassroom.ended === 'ended' && window.facewatchClassroom.journey.length === 0, null, 'Mina told');
  await shots(gb.page, 'gate-over');
  for (const p of [t, mina, joon, ga, gb]) assert.deepEqual(p.rec.errors, []);
});

test('gates: the gate page in Korean', { timeout: 120000 }, async () => {
  const g = await newPage(browserB, { camera: true });
  await g.page.goto(server.url + 'gate?lang=ko');
  await until(g.page, () => document.documentElement.lang === 'ko', null, 'Korean');
  assert.equal(await g.page.textContent('#join h1'), MSG.ko['gate.h']);
  assert.deepEqual(await untranslated(g.page), []);
  await shots(g.page, 'gate-join-ko');
  await g.context.close();
});

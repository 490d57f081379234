// Phone first and accessible: axe-core (pinned in tools/package.json) finds
// no violation on the start screen or any scene, in both languages, on a
// 1280×800 laptop and a 390×844 touch phone; screenshots of every scene at
// both sizes; the tabs sit in one row; touch-only phones see no keyboard
// hints or drop zone; a keyboard-only walk goes from the start screen into
// the scene and through the tabs (arrows, Home, End) without the step
// wrapping from 1 to 6.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, waitFor, measure, SHOTS } from './lib.mjs';
import { assertNoAxeViolations } from './axe.mjs';

const SCENES = ['find', 'track', 'misid', 'data'];
const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launch({ camera: 'one-face' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(size, lang) {
  const context = await browser.newContext({ ...SIZES[size], permissions: ['camera'] });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.url}?lang=${lang}`, { waitUntil: 'load', timeout: 60000 });
  await waitFor(page, (l) => document.documentElement.lang === l && document.querySelector('#start h1').textContent.trim() !== '', lang, { what: 'the start screen', timeout: 20000 });
  return { context, page, errors };
}

const axe = assertNoAxeViolations;

async function shot(page, name, full = false) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: full });
}

async function scene(page, s) {
  await page.locator(`#tab-${s}`).click();
  await waitFor(page, (x) => window.facewatch.scene === x && window.facewatch.storyReady, s, { what: `scene ${s}`, timeout: 10000 });
  await page.waitForTimeout(400);
}

for (const size of Object.keys(SIZES)) {
  for (const lang of ['en', 'ko']) {
    test(`${size}, ${lang}: no axe-core violation on the start screen and every scene; screenshots`, { timeout: 150000 }, async () => {
      const { context, page, errors } = await open(size, lang);
      try {
        await axe(page, `${size} ${lang} start`);
        await shot(page, `a11y-${size}-${lang}-start`);
        assert.equal(await page.locator('#start a[href="/teach"]').count(), 1, 'the start screen does not link the classroom');
        assert.equal(await page.locator('#start .start-scenes li').count(), 4, 'the start screen does not name the four scenes');
        await page.locator('#use-camera').click();
        await waitFor(page, () => window.facewatch.ready && window.facewatch.faces.length > 0, null, { what: 'a face', timeout: 60000 });
        const tabs = await page.locator('.scenes').evaluate((el) => {
          const r = [...el.querySelectorAll('[role=tab]')].map((b) => b.getBoundingClientRect().top);
          return { rows: new Set(r.map((y) => Math.round(y))).size, height: el.getBoundingClientRect().height };
        });
        assert.equal(tabs.rows, 1, `${size} ${lang}: the tabs take ${tabs.rows} rows`);
        measure(`${size} ${lang} tab row`, `${tabs.height.toFixed(0)} px high`);
        if (size === 'phone') {
          assert.equal(await page.evaluate(() => matchMedia('(hover: none) and (pointer: coarse)').matches), true, 'the phone is not emulated as touch-only');
          assert.equal(await page.locator('#scene-find .keys').isVisible(), false, 'keyboard hints on a touch phone');
          // The step text starts within the first screen.
          const top = await page.locator('#step-of').evaluate((el) => el.getBoundingClientRect().top);
          assert.ok(top < 844, `the step text starts at ${top} px`);
        }
        for (const s of SCENES) {
          await scene(page, s);
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(wide <= SIZES[size].viewport.width, `${s}: page is ${wide} px wide`);
          await axe(page, `${size} ${lang} ${s}`);
          if (lang === 'en') {
            // Every Korean phrase on the English page says it is Korean.
            const bare = await page.evaluate(() => {
              const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
              const out = [];
              while (w.nextNode()) {
                const n = w.currentNode;
                if (/[\uac00-\ud7a3]/.test(n.nodeValue) && !n.parentElement.closest('[lang|="ko"]')) out.push(n.nodeValue.trim().slice(0, 60));
              }
              return out;
            });
            assert.deepEqual(bare, [], `${s}: Korean text without lang="ko"`);
          }
          await page.evaluate(() => window.scrollTo(0, 0));
          await shot(page, `a11y-${size}-${lang}-${s}`);
          if (size === 'phone' && lang === 'en') {
            const h = await page.evaluate(() => document.documentElement.scrollHeight);
            measure(`phone page height, ${s}`, `${h} px`);
            await shot(page, `a11y-${size}-${lang}-${s}-full`, true);
          }
        }
        if (size === 'phone') assert.equal(await page.locator('#misid-drop').isVisible(), false, 'a drop zone on a touch phone');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
}

test('keyboard only: from the start screen into the scene, through the tabs, no wrap from step 1 to 6', { timeout: 90000 }, async () => {
  const { context, page, errors } = await open('desktop', 'en');
  try {
    // Tab to "Use the sample clip" (no camera prompt needed) and press Enter.
    let found = false;
    for (let i = 0; i < 20 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement && document.activeElement.id === 'use-clip');
    }
    assert.ok(found, 'Tab never reached "Use the sample clip"');
    await page.keyboard.press('Enter');
    await waitFor(page, () => window.facewatch.ready, null, { what: 'the clip playing', timeout: 60000 });
    await waitFor(page, () => document.activeElement && document.activeElement.id === 'scene-find', null, { what: 'focus in the scene', timeout: 5000 });
    // Step 1: "Previous step" does nothing (disabled), ← does not wrap to 6.
    assert.equal(await page.locator('#btn-prev').isDisabled(), true);
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(200);
    assert.match(await page.locator('#step-of').textContent(), /Step 1 of 6/);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.includes('face_recognition_model.bin'))), false, 'the 6.4 MB network was fetched on step 1');
    // Into the tabs with Shift+Tab, then the arrow keys, End and Home.
    let onTab = false;
    for (let i = 0; i < 10 && !onTab; i++) {
      await page.keyboard.press('Shift+Tab');
      onTab = await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('role') === 'tab');
    }
    assert.ok(onTab, 'Shift+Tab never reached the tabs');
    const active = () => page.evaluate(() => [window.facewatch.scene, document.activeElement.id]);
    await page.keyboard.press('End');
    assert.deepEqual(await active(), ['data', 'tab-data']);
    await page.keyboard.press('Home');
    assert.deepEqual(await active(), ['find', 'tab-find']);
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await active(), ['track', 'tab-track']);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await active(), ['data', 'tab-data']);
    // Tab goes from the tab row into the scene's controls.
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft'); // misid
    await waitFor(page, () => window.facewatch.scene === 'misid' && window.facewatch.storyReady, null, { what: 'misid', timeout: 10000 });
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement.id === 'misid-enrol');
    }
    assert.ok(reached, 'Tab did not reach "Enrol my face" from the tabs');
    await shot(page, 'a11y-keyboard-misid');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

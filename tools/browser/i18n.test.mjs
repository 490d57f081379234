// The two message files agree with each other and with the pages: no
// browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const PG = path.join(ROOT, 'playground');
// The page merges i18n/<lang>.json with the story scenes' i18n/story.<lang>.json
// (js/i18n.js); a key may live in only one of them.
const FILES = ['', 'story.'];
const loadFile = (name) => JSON.parse(fs.readFileSync(path.join(PG, 'i18n', name + '.json'), 'utf8'));
const load = (lang) => Object.assign({}, ...FILES.map((f) => loadFile(f + lang)));

test('no key is defined in two message files', () => {
  for (const lang of ['en', 'ko']) {
    const seen = new Map();
    for (const f of FILES) {
      for (const k of Object.keys(loadFile(f + lang))) {
        if (k.startsWith('_')) continue;
        assert.ok(!seen.has(k), `${k} is in both ${seen.get(k)}${lang}.json and ${f}${lang}.json`);
        seen.set(k, f);
      }
    }
  }
});

function filesUnder(dir, ext) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, ext));
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out;
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('en.json and ko.json have the same keys', () => {
  const en = Object.keys(load('en')).sort();
  const ko = Object.keys(load('ko')).sort();
  assert.deepEqual(en.filter((k) => !ko.includes(k)), [], 'keys in en.json missing from ko.json');
  assert.deepEqual(ko.filter((k) => !en.includes(k)), [], 'keys in ko.json missing from en.json');
});

test('no message is empty and placeholders match', () => {
  const en = load('en');
  const ko = load('ko');
  for (const [lang, m] of [['en', en], ['ko', ko]]) {
    for (const [k, v] of Object.entries(m)) {
      assert.equal(typeof v, 'string', `${lang}.json ${k} is not a string`);
      assert.ok(v.trim() !== '', `${lang}.json ${k} is empty`);
    }
  }
  for (const k of Object.keys(en)) {
    if (k.startsWith('_') || !(k in ko)) continue;
    assert.deepEqual(placeholders(ko[k]), placeholders(en[k]), `placeholders of ${k} differ`);
  }
});

test('the Korean file is Korean', () => {
  // A copied-over English value is the usual translation slip: most
  // messages with letters in them must contain Hangul.
  const ko = load('ko');
  const en = load('en');
  const worded = Object.keys(ko).filter((k) => !k.startsWith('_') && /[A-Za-z]{3}/.test(en[k] || ''));
  const hangul = worded.filter((k) => /[\uac00-\ud7a3]/.test(ko[k]));
  assert.ok(hangul.length >= 0.8 * worded.length,
    `only ${hangul.length} of ${worded.length} Korean messages contain Hangul; untranslated: ${worded.filter((k) => !hangul.includes(k)).slice(0, 10).join(', ')}`);
});

test('every data-i18n key used in the pages exists', () => {
  const en = load('en');
  const htmls = filesUnder(PG, '.html');
  assert.ok(htmls.length > 0, 'no pages in playground/');
  let used = 0;
  for (const f of htmls) {
    const html = fs.readFileSync(f, 'utf8');
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
      used++;
      assert.ok(m[1] in en, `${path.relative(ROOT, f)}: data-i18n="${m[1]}" is not in en.json`);
    }
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) {
      for (const pair of m[1].split(',')) {
        const key = pair.slice(pair.indexOf(':') + 1).trim();
        used++;
        assert.ok(key in en, `${path.relative(ROOT, f)}: data-i18n-attr key "${key}" is not in en.json`);
      }
    }
  }
  assert.ok(used > 0, 'the pages use no data-i18n keys: words would be hard-coded');
});

test('every literal t("key") in the scripts exists', () => {
  const en = load('en');
  const js = path.join(PG, 'js');
  if (!fs.existsSync(js)) return;
  for (const f of filesUnder(js, '.js')) {
    const src = fs.readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bt\(\s*(['"])([\w.-]+)\1/g)) {
      assert.ok(m[2] in en, `${path.relative(ROOT, f)}: t('${m[2]}') is not in en.json`);
    }
  }
});

test('no inline scripts or styles in the pages (the CSP blocks them)', () => {
  for (const f of filesUnder(PG, '.html')) {
    const html = fs.readFileSync(f, 'utf8');
    const rel = path.relative(ROOT, f);
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      assert.match(m[1], /\bsrc=/, `${rel}: inline <script>`);
      assert.equal(m[2].trim(), '', `${rel}: <script src> with inline content`);
    }
    assert.doesNotMatch(html, /<style\b/i, `${rel}: inline <style>`);
    assert.doesNotMatch(html, /\sstyle="/i, `${rel}: style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+="/i, `${rel}: inline event handler`);
  }
});

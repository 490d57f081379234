// The two worker builds: where the site carries the wasm SIMD worker
// (js/workers.js says so; facewatch build makes it with Go 1.27.3), a
// browser with wasm SIMD runs worker.wasm and one without gets
// worker-scalar.wasm, and both find the face on the fake camera. The
// browser without wasm SIMD is Chromium with WebAssembly.validate answering
// false for boot.js's SIMD probe module. Prints which build ran.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, newPage, waitFor, hook, measure, SITE } from './lib.mjs';

let server, browser;
const siteHasSIMD = /simdWorker\s*=\s*true/.test(fs.readFileSync(path.join(SITE, 'js', 'workers.js'), 'utf8'));

before(async () => {
  server = await startServer();
  browser = await launch({ camera: 'one-face' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// NO_SIMD makes WebAssembly.validate refuse any module using SIMD128 as far
// as boot.js's probe goes: its 31-byte module is the only one it is asked
// about.
const NO_SIMD = `(() => {
  const validate = WebAssembly.validate;
  WebAssembly.validate = (bytes) => (bytes && bytes.byteLength === 31 ? false : validate(bytes));
})();`;

for (const simd of [true, false]) {
  const want = simd && siteHasSIMD ? 'simd' : 'scalar';
  const file = siteHasSIMD && !simd ? '/worker-scalar.wasm' : '/worker.wasm';
  test(`browser ${simd ? 'with' : 'without'} wasm SIMD runs the ${want} worker (${file})`, { timeout: 120000 }, async () => {
    const { context, page, rec } = await newPage(browser);
    if (!simd) await context.addInitScript({ content: NO_SIMD });
    await page.goto(`${server.url}?source=camera&lang=en`, { waitUntil: 'commit', timeout: 60000 });
    await waitFor(page, () => window.facewatch && window.facewatch.firstFaceMs !== null, null, { what: 'the first face', timeout: 60000 });
    const h = await hook(page);
    measure(`worker build (browser ${simd ? 'with' : 'without'} wasm SIMD, site ${siteHasSIMD ? 'with' : 'without'} the SIMD worker)`, h.worker);
    assert.equal(h.worker, want);
    assert.ok(h.faces.length >= 1, 'no face found');
    const wasm = rec.requests.map((r) => new URL(r.url).pathname).filter((p) => /^\/worker(-scalar)?\.wasm$/.test(p));
    assert.ok(wasm.includes(file), `${file} was not fetched (wasm requests: ${wasm.join(', ')})`);
    if (simd) assert.ok(!wasm.includes('/worker-scalar.wasm'), 'the scalar worker was fetched by a browser with wasm SIMD');
    assert.deepEqual(rec.errors, []);
    await context.close();
  });
}

// axe-core (tools/package.json pins it) for the browser tests: injected over
// the devtools protocol, so the page's own CSP stays as it is.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axeViolations runs axe-core on the whole page and returns its violations, shortened. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join(' ')}`) }));
  });
}

/** assertNoAxeViolations fails with axe-core's findings, if any. */
export async function assertNoAxeViolations(page, what) {
  const r = await axeViolations(page);
  assert.deepEqual(r, [], `${what}: axe-core violations\n${JSON.stringify(r, null, 1)}`);
}

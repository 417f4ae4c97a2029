// The tree's figure of bench/workbench.mjs for a keyspace where hashes are rare (issue #19): expanding a
// connection to a database of 1,000,000 keys of which 4 are hashes, until the first hash row shows, vs the
// same in a database of 100 keys of which 4 are hashes (bench/sparse.ts seeds both: dbs 2 and 3).
// workbench.mjs adds these connections and key bindings to its code-server and calls measureSparseTree.
import { performance } from 'node:perf_hooks';

export const SPARSE_TREE = { name: 'workbench: expand connection to first hash row, 1,000,000 vs 100 keys, 4 of them hashes', unit: 'ms', target: '<= 1.5' };

const BIG = 'bench-sparse-1m';
const SMALL = 'bench-sparse-100';
const DISCONNECT = { [BIG]: 'Control+Alt+Shift+Digit6', [SMALL]: 'Control+Alt+Shift+Digit7' };

export function sparseConnections(port) {
  return [
    { name: BIG, host: '127.0.0.1', port, db: 2 },
    { name: SMALL, host: '127.0.0.1', port, db: 3 },
  ];
}

export const SPARSE_BINDINGS = [
  { key: 'ctrl+alt+shift+6', command: 'redisHashExplorer.disconnect', args: { connection: BIG } },
  { key: 'ctrl+alt+shift+7', command: 'redisHashExplorer.disconnect', args: { connection: SMALL } },
];

/**
 * Clicks a collapsed, disconnected connection and waits for its first hash row: the folder of one of the 4
 * hashes (config, session), not the "Connecting…" or scan-progress rows. Alternates the two databases.
 * `h`: { page, connRow(name), runs, timeout, median, figure, shot, shotsDir, log } from workbench.mjs.
 */
export async function measureSparseTree(h) {
  const { page, connRow, runs, timeout } = h;
  const children = page.locator('.monaco-list-row[aria-level="2"]');
  // When the first hash row is on screen, by the page's own clock, checked every frame: a locator's waitFor
  // checks with growing pauses (up to half a second), which measures its schedule more than the tree.
  const firstHashAt = () =>
    page
      .waitForFunction(
        () => {
          const rows = globalThis.document.querySelectorAll('.monaco-list-row[aria-level="2"]');
          for (const r of rows) if (/config|session/.test(r.textContent ?? '')) return performance.timeOrigin + performance.now();
          return false;
        },
        undefined,
        { polling: 'raf', timeout },
      )
      .then((h) => h.jsonValue());
  const once = async (name) => {
    const row = connRow(name);
    if ((await row.getAttribute('aria-expanded')) === 'true') {
      await row.click();
      await children.first().waitFor({ state: 'detached', timeout });
    }
    await page.keyboard.press(DISCONNECT[name]);
    await page.waitForTimeout(400);
    const t0 = performance.timeOrigin + performance.now();
    await row.click();
    const ms = (await firstHashAt()) - t0;
    if (h.shotsDir) await h.shot(page, h.shotsDir, `tree-${name}`);
    // collapsing stops the big database's scan, so it does not run on beside the next measurement
    await row.click();
    await children.first().waitFor({ state: 'detached', timeout });
    return ms;
  };
  h.log(`sparse tree: expanding ${BIG} and ${SMALL}, ${runs} runs each`);
  await connRow(BIG).waitFor({ timeout });
  await once(BIG);
  await once(SMALL);
  const big = [];
  const small = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [BIG, SMALL] : [SMALL, BIG];
    for (const name of order) (name === BIG ? big : small).push(await once(name));
  }
  h.log(`sparse tree: 1,000,000 keys ${big.map((x) => x.toFixed(0)).join(', ')} ms; 100 keys ${small.map((x) => x.toFixed(0)).join(', ')} ms`);
  return h.figure(SPARSE_TREE, h.median(big), h.median(small));
}

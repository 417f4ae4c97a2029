// The tree's figure of bench/workbench.mjs for a keyspace where hashes are rare (issue #19): expanding a
// connection to a database of 1,000,000 keys of which 4 are hashes, until the first hash row shows, vs the
// same in a database of 100 keys of which 4 are hashes (bench/sparse.ts seeds both: dbs 2 and 3).
// workbench.mjs adds these connections and key bindings to its code-server and calls measureSparseTree.
//
// Two conditions, each the same for both databases: cold (the tree remembers no key of the connection: the
// Refresh binding, which forgets them, is pressed before the expand) and warm (the names the previous expand of
// the same connection met are remembered: the Disconnect binding alone, which forgets nothing; src/tree/recall.ts).
import { performance } from 'node:perf_hooks';

export const SPARSE_TREE = { name: 'workbench: expand connection to first hash row, 1,000,000 vs 100 keys, 4 of them hashes, none remembered', unit: 'ms', target: '<= 1.5' };
export const SPARSE_TREE_WARM = { name: 'workbench: expand connection to first hash row, 1,000,000 vs 100 keys, 4 of them hashes, remembered from the last expand', unit: 'ms', target: '<= 1.5' };

const BIG = 'bench-sparse-1m';
const SMALL = 'bench-sparse-100';
const DISCONNECT = { [BIG]: 'Control+Alt+Shift+Digit6', [SMALL]: 'Control+Alt+Shift+Digit7' };
const FORGET = { [BIG]: 'Control+Alt+Shift+Digit8', [SMALL]: 'Control+Alt+Shift+Digit0' };

export function sparseConnections(port) {
  return [
    { name: BIG, host: '127.0.0.1', port, db: 2 },
    { name: SMALL, host: '127.0.0.1', port, db: 3 },
  ];
}

export const SPARSE_BINDINGS = [
  { key: 'ctrl+alt+shift+6', command: 'redisHashExplorer.disconnect', args: { connection: BIG } },
  { key: 'ctrl+alt+shift+7', command: 'redisHashExplorer.disconnect', args: { connection: SMALL } },
  // Refresh of a connection forgets the keys it remembers
  { key: 'ctrl+alt+shift+8', command: 'redisHashExplorer.refresh', args: { connection: BIG } },
  { key: 'ctrl+alt+shift+0', command: 'redisHashExplorer.refresh', args: { connection: SMALL } },
];

/**
 * Clicks a collapsed, disconnected connection and waits for its first hash row: the folder of one of the 4
 * hashes (config, session), not the "Connecting…" or scan-progress rows. Alternates the two databases; each run
 * of a database is a cold expand, then a warm one (remembering what the cold one met). Returns both figures.
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
  const once = async (name, cold) => {
    const row = connRow(name);
    if ((await row.getAttribute('aria-expanded')) === 'true') {
      await row.click();
      await children.first().waitFor({ state: 'detached', timeout });
    }
    await page.keyboard.press(DISCONNECT[name]);
    if (cold) await page.keyboard.press(FORGET[name]);
    await page.waitForTimeout(400);
    const t0 = performance.timeOrigin + performance.now();
    await row.click();
    const ms = (await firstHashAt()) - t0;
    if (h.shotsDir) await h.shot(page, h.shotsDir, `tree-${name}-${cold ? 'cold' : 'warm'}`);
    // collapsing stops the big database's scan, so it does not run on beside the next measurement
    await row.click();
    await children.first().waitFor({ state: 'detached', timeout });
    return ms;
  };
  h.log(`sparse tree: expanding ${BIG} and ${SMALL}, ${runs} runs each`);
  await connRow(BIG).waitFor({ timeout });
  await once(BIG, true);
  await once(SMALL, true);
  const times = { cold: { [BIG]: [], [SMALL]: [] }, warm: { [BIG]: [], [SMALL]: [] } };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [BIG, SMALL] : [SMALL, BIG];
    for (const name of order) {
      times.cold[name].push(await once(name, true));
      times.warm[name].push(await once(name, false));
    }
  }
  const ms = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
  for (const c of ['cold', 'warm']) h.log(`sparse tree, ${c}: 1,000,000 keys ${ms(times[c][BIG])} ms; 100 keys ${ms(times[c][SMALL])} ms`);
  return [
    h.figure(SPARSE_TREE, h.median(times.cold[BIG]), h.median(times.cold[SMALL])),
    h.figure(SPARSE_TREE_WARM, h.median(times.warm[BIG]), h.median(times.warm[SMALL])),
  ];
}

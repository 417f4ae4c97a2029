// Figure 5 of the benchmark, in the real workbench: code-server (VS Code server + web workbench, Node
// extension host) driven by headless Debian chromium, the same machinery as the UI tests
// (test/host/codeServer.mjs). Its third figure is the floor: the hash editor on a 10-field hash against a
// webview panel that shows one line of text, from a test fixture extension (bench/fixtures/minimal-webview). Started by bench/run.ts against its seeded redis-server:
//   env RHE_BENCH_REDIS_PORT  the port; db 0 holds 1,000,000 keys and the hashes, db 1 holds 100 keys
//   env RHE_BENCH_OUT         where to write the figures (JSON array)
//   env RHE_BENCH_QUICK=1     fewer runs
// Timings start in this process at the user's action (a key press bound to the command, a click on the
// connection) and end when playwright sees the first row in the DOM (the tree) or, for the editors, when the
// webview's own clock sees it in its document (checked every frame); each pair alternates.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SPARSE_BINDINGS, SPARSE_TREE, SPARSE_TREE_WARM, measureSparseTree, sparseConnections } from './workbenchTree.mjs';

const port = Number(process.env.RHE_BENCH_REDIS_PORT);
const outFile = process.env.RHE_BENCH_OUT;
// The workbench times swing by tens of milliseconds (frames, coalesced refreshes): 9 runs steady the medians.
const runs = process.env.RHE_BENCH_QUICK ? 3 : 9;
/** a folder for screenshots of the first measured screen of each kind (to check what was measured) */
const shotsDir = process.env.RHE_BENCH_SCREENSHOTS;
const TIMEOUT = 60_000;

const EDITOR = { name: 'workbench: openHashEditor to first rows, 1,000,000-field vs 10-field hash', unit: 'ms', target: '<= 1.2' };
const TREE = { name: 'workbench: expand connection to first keys, 1,000,000 vs 100 keys', unit: 'ms', target: '<= 2' };
// The floor: a webview panel of a test fixture extension (bench/fixtures/minimal-webview) that shows one line.
const FLOOR = { name: 'workbench: openHashEditor on a 10-field hash vs a minimal webview panel (one line of text)', unit: 'ms', target: '<= 1.3' };
const FIXTURE = 'bench/fixtures/minimal-webview';

const BIG_CONN = 'bench-1m-keys';
const SMALL_CONN = 'bench-100-keys';
// Keys bound to the commands (keybinding args are the commands' plain-object targets).
const KEYS = {
  openBig: 'Control+Alt+Shift+Digit1',
  openSmall: 'Control+Alt+Shift+Digit2',
  closeEditors: 'Control+Alt+Shift+Digit9',
  disconnectBig: 'Control+Alt+Shift+Digit3',
  disconnectSmall: 'Control+Alt+Shift+Digit4',
  // Refresh forgets the hash keys the tree remembers for the connection: each expand of the tree figure is cold
  forgetBig: 'Control+Alt+Shift+F7',
  forgetSmall: 'Control+Alt+Shift+F8',
  openMinimal: 'Control+Alt+Shift+Digit5',
};

function log(msg) {
  process.stderr.write(`bench: workbench: ${msg}\n`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round(x) {
  return Number(x.toFixed(x >= 100 ? 1 : 3));
}

function figure(f, big, small) {
  const ratio = big / small;
  return { name: f.name, ours: round(big), baseline: round(small), unit: f.unit, ratio: round(ratio), target: f.target, met: ratio <= Number(f.target.replace('<= ', '')) };
}

function notMeasured(f, reason) {
  return { name: f.name, ours: `not measured: ${reason}`, baseline: 'not measured', unit: f.unit, ratio: null, target: f.target, met: false };
}

function write(figures) {
  writeFileSync(outFile, JSON.stringify(figures, null, 2));
}

async function main() {
  if (!port || !outFile) throw new Error('run through bench/run.ts (RHE_BENCH_REDIS_PORT, RHE_BENCH_OUT)');
  const repo = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
  const missing = [
    [join(repo, 'test', 'host', 'codeServer.mjs'), 'test/host/codeServer.mjs is missing'],
    [join(repo, 'dist', 'extension.js'), 'dist/extension.js is missing (node esbuild.mjs)'],
  ].find(([f]) => !existsSync(f));
  if (missing) {
    write([notMeasured(EDITOR, missing[1]), notMeasured(TREE, missing[1]), notMeasured(FLOOR, missing[1]), notMeasured(SPARSE_TREE, missing[1]), notMeasured(SPARSE_TREE_WARM, missing[1])]);
    return;
  }
  const { launchBrowser, remoteUri, startCodeServer, workbenchUrl } = await import('../test/host/codeServer.mjs');

  const scratch = mkdtempSync(join(tmpdir(), 'rhe-bench-wb-'));
  const workspace = join(scratch, 'workspace');
  mkdirSync(workspace);
  const connections = [
    { name: BIG_CONN, host: '127.0.0.1', port, db: 0 },
    { name: SMALL_CONN, host: '127.0.0.1', port, db: 1 },
    ...sparseConnections(port),
  ];
  let server;
  let browser;
  try {
    log('starting code-server');
    server = await startCodeServer({ settings: { 'redisHashExplorer.connections': connections } });
    const bindings = [
      { key: 'ctrl+alt+shift+1', command: 'redisHashExplorer.openHashEditor', args: { connection: BIG_CONN, key: 'bench:hash:1m' } },
      { key: 'ctrl+alt+shift+2', command: 'redisHashExplorer.openHashEditor', args: { connection: BIG_CONN, key: 'bench:hash:10' } },
      { key: 'ctrl+alt+shift+9', command: 'workbench.action.closeAllEditors' },
      { key: 'ctrl+alt+shift+3', command: 'redisHashExplorer.disconnect', args: { connection: BIG_CONN } },
      { key: 'ctrl+alt+shift+4', command: 'redisHashExplorer.disconnect', args: { connection: SMALL_CONN } },
      { key: 'ctrl+alt+shift+f7', command: 'redisHashExplorer.refresh', args: { connection: BIG_CONN } },
      { key: 'ctrl+alt+shift+f8', command: 'redisHashExplorer.refresh', args: { connection: SMALL_CONN } },
      { key: 'ctrl+alt+shift+5', command: 'rheBenchFixture.openMinimalPanel' },
      ...SPARSE_BINDINGS,
    ];
    writeFileSync(join(server.dirs.userData, 'User', 'keybindings.json'), JSON.stringify(bindings, null, 2));
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    installFixture(server.dirs.extensions, join(repo, FIXTURE));
    const url = workbenchUrl(server.url, { folder: workspace, payload: [['extensionDevelopmentPath', remoteUri(repo)], ['skipWelcome', 'true']] });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT });
    log('workbench loaded; opening the Redis view');
    await page.getByRole('tab', { name: /Redis Hash Explorer/ }).first().click({ timeout: TIMEOUT });
    const connRow = (name) => page.locator('.monaco-list-row[aria-level="1"]', { hasText: name }).first();
    await connRow(BIG_CONN).waitFor({ timeout: TIMEOUT });

    const figures = [];
    // env RHE_BENCH_WB_PARTS=sparse or =floor: only that figure (while working on it)
    const parts = process.env.RHE_BENCH_WB_PARTS?.split(',');
    if (parts?.length === 1 && parts[0] === 'sparse') {
      figures.push(...(await measureSparseTree({ page, connRow, runs, timeout: TIMEOUT, median, figure, shot, shotsDir, log })));
      write(figures);
      return;
    }
    if (parts?.length === 1 && parts[0] === 'floor') {
      figures.push(await measureFloor(page));
      write(figures);
      return;
    }
    try {
      figures.push(await measureTree(page, connRow));
    } catch (err) {
      log(`tree: ${err.stack ?? err}`);
      await shot(page, scratch, 'tree');
      figures.push(notMeasured(TREE, `error: ${String(err.message ?? err).split('\n')[0]}`));
    }
    // the tree on a keyspace where hashes are rare (bench/workbenchTree.mjs)
    try {
      figures.push(...(await measureSparseTree({ page, connRow, runs, timeout: TIMEOUT, median, figure, shot, shotsDir, log })));
    } catch (err) {
      log(`sparse tree: ${err.stack ?? err}`);
      for (const f of [SPARSE_TREE, SPARSE_TREE_WARM]) figures.push(notMeasured(f, `error: ${String(err.message ?? err).split('\n')[0]}`));
    }
    try {
      figures.unshift(await measureEditor(page));
    } catch (err) {
      log(`editor: ${err.stack ?? err}`);
      await shot(page, scratch, 'editor');
      figures.unshift(notMeasured(EDITOR, `error: ${String(err.message ?? err).split('\n')[0]}`));
    }
    try {
      figures.push(await measureFloor(page));
    } catch (err) {
      log(`floor: ${err.stack ?? err}`);
      await shot(page, scratch, 'floor');
      figures.push(notMeasured(FLOOR, `error: ${String(err.message ?? err).split('\n')[0]}`));
    }
    write(figures);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Installs the fixture as an ordinary extension of this throwaway code-server (a second
 * extensionDevelopmentPath is not loaded beside the first): its folder and its entry in extensions.json.
 */
function installFixture(extensionsDir, source) {
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`;
  const folder = `${id}-${manifest.version}`;
  const dest = join(extensionsDir, folder);
  cpSync(source, dest, { recursive: true });
  const entry = { identifier: { id }, version: manifest.version, location: { $mid: 1, path: dest, scheme: 'file' }, relativeLocation: folder };
  writeFileSync(join(extensionsDir, 'extensions.json'), JSON.stringify([entry]));
}

async function shot(page, dir, name) {
  const file = join(shotsDir ?? tmpdir(), `rhe-bench-${name}-${Date.now()}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  log(`screenshot: ${file}`);
  void dir;
}

/**
 * Expands a connection (collapsed, disconnected and its remembered keys forgotten first, so it loads anew from
 * its first SCAN) and waits for its first child row.
 */
async function measureTree(page, connRow) {
  const children = page.locator('.monaco-list-row[aria-level="2"]');
  // Not the "Loading keys…" placeholder: a folder of the seeded namespaces (hash keys only, the default).
  const firstKeys = children.filter({ hasText: /user|order|product|bench/ }).first();
  const once = async (name, disconnectKey, forgetKey) => {
    const row = connRow(name);
    if ((await row.getAttribute('aria-expanded')) === 'true') {
      await row.click();
      await children.first().waitFor({ state: 'detached', timeout: TIMEOUT });
    }
    await page.keyboard.press(disconnectKey);
    await page.keyboard.press(forgetKey);
    await page.waitForTimeout(400);
    const t0 = performance.now();
    await row.click();
    await firstKeys.waitFor({ state: 'visible', timeout: TIMEOUT });
    const ms = performance.now() - t0;
    if (shotsDir) await shot(page, shotsDir, `tree-${name}`);
    await row.click();
    await children.first().waitFor({ state: 'detached', timeout: TIMEOUT });
    return ms;
  };
  log(`tree: expanding ${BIG_CONN} and ${SMALL_CONN}, ${runs} runs each`);
  await once(BIG_CONN, KEYS.disconnectBig, KEYS.forgetBig);
  await once(SMALL_CONN, KEYS.disconnectSmall, KEYS.forgetSmall);
  const big = [];
  const small = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['big', 'small'] : ['small', 'big'];
    for (const which of order) {
      if (which === 'big') big.push(await once(BIG_CONN, KEYS.disconnectBig, KEYS.forgetBig));
      else small.push(await once(SMALL_CONN, KEYS.disconnectSmall, KEYS.forgetSmall));
    }
  }
  log(`tree: 1,000,000 keys ${big.map((x) => x.toFixed(0)).join(', ')} ms; 100 keys ${small.map((x) => x.toFixed(0)).join(', ')} ms`);
  return figure(TREE, median(big), median(small));
}

/**
 * Opens a hash editor by its key binding until its first filled row is in the webview's document, timed from
 * inside the webview (checked every frame, as the floor figure does: Playwright's locator retries would add
 * their own schedule, up to a few hundred milliseconds, to either side).
 */
async function measureEditor(page) {
  const webviews = page.locator('iframe.webview');
  const once = async (key) => {
    const before = new Set(page.frames());
    const t0 = performance.timeOrigin + performance.now();
    await page.keyboard.press(key);
    const ms = (await contentShownAt(page, before, '.spacer .row:not(.loading)')) - t0;
    if (shotsDir) await shot(page, shotsDir, `editor-${key.slice(-1)}`);
    await page.keyboard.press(KEYS.closeEditors);
    await webviews.first().waitFor({ state: 'detached', timeout: TIMEOUT });
    return ms;
  };
  log(`editor: opening the 1,000,000-field and the 10-field hash, ${runs} runs each`);
  await once(KEYS.openBig);
  await once(KEYS.openSmall);
  const big = [];
  const small = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['big', 'small'] : ['small', 'big'];
    for (const which of order) {
      if (which === 'big') big.push(await once(KEYS.openBig));
      else small.push(await once(KEYS.openSmall));
    }
  }
  log(`editor: 1,000,000 fields ${big.map((x) => x.toFixed(0)).join(', ')} ms; 10 fields ${small.map((x) => x.toFixed(0)).join(', ')} ms`);
  return figure(EDITOR, median(big), median(small));
}

/**
 * When a webview's content is on screen, by the page's own clock: its document has loaded (the workbench
 * shows a webview's frame and delivers its first messages on that event) and `selector` is in it, checked
 * every frame inside the webview. Playwright's locators retry a frame that is not there yet with growing
 * pauses (up to half a second), which would measure their schedule more than the page.
 */
async function contentShownAt(page, framesBefore, selector) {
  const end = Date.now() + TIMEOUT;
  for (;;) {
    // the newest webview document (a closed one may still be listed for a moment)
    const frame = page
      .frames()
      .filter((f) => !framesBefore.has(f) && !f.isDetached() && /\/fake\.html/.test(f.url()))
      .pop();
    if (frame) {
      try {
        const when = await frame.waitForFunction(
          // runs in the webview's document
          (sel) => {
            const doc = globalThis.document;
            return doc.readyState === 'complete' && doc.querySelector(sel) ? performance.timeOrigin + performance.now() : false;
          },
          selector,
          { polling: 'raf', timeout: Math.max(1, Math.min(2_000, end - Date.now())) },
        );
        return await when.jsonValue();
      } catch (err) {
        if (Date.now() > end) throw err;
        // the frame was replaced while loading, or another one was taken: look again
      }
    }
    if (Date.now() > end) throw new Error(`no webview showed ${selector}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * The hash editor on a 10-field hash against the fixture's one-line panel, alternating: each from its key
 * binding until its content is on screen (the first filled row; the line of text), then all editors closed.
 */
async function measureFloor(page) {
  const webviews = page.locator('iframe.webview');
  const once = async (key, selector) => {
    const before = new Set(page.frames());
    const t0 = performance.timeOrigin + performance.now();
    await page.keyboard.press(key);
    const ms = (await contentShownAt(page, before, selector)) - t0;
    await page.keyboard.press(KEYS.closeEditors);
    await webviews.first().waitFor({ state: 'detached', timeout: TIMEOUT });
    return ms;
  };
  const ROWS = '.spacer .row:not(.loading)';
  const LINE = 'p.line';
  log(`floor: the 10-field hash editor and the minimal webview panel, ${runs * 2} runs each`);
  // first opens load bundles and activate the fixture: not counted
  await once(KEYS.openSmall, ROWS);
  await once(KEYS.openMinimal, LINE);
  const ours = [];
  const floor = [];
  for (let i = 0; i < runs * 2; i++) {
    const order = i % 2 === 0 ? ['ours', 'floor'] : ['floor', 'ours'];
    for (const which of order) {
      if (which === 'ours') ours.push(await once(KEYS.openSmall, ROWS));
      else floor.push(await once(KEYS.openMinimal, LINE));
    }
  }
  log(`floor: hash editor ${ours.map((x) => x.toFixed(0)).join(', ')} ms; minimal panel ${floor.map((x) => x.toFixed(0)).join(', ')} ms`);
  return figure(FLOOR, median(ours), median(floor));
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`failed: ${err.stack ?? err}`);
    if (outFile) {
      const reason = `error: ${String(err.message ?? err).split('\n')[0]}`;
      write([notMeasured(EDITOR, reason), notMeasured(TREE, reason), notMeasured(FLOOR, reason), notMeasured(SPARSE_TREE, reason), notMeasured(SPARSE_TREE_WARM, reason)]);
    }
    process.exit(0);
  },
);

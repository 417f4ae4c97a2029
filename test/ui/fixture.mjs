// UI-test fixture: a real VS Code workbench (code-server, Node extension host) with this extension
// loaded from the repository, a throwaway redis-server, and headless Debian chromium driven by
// playwright-core. Every spec file in test/ui/*.spec.mjs uses it; test/ui/run.mjs runs them.
//
//   import { startWorkbench, openRedisView, treeItem } from './fixture.mjs';
//
//   const wb = await startWorkbench({
//     seed: async (redis) => { await redis.hset('user:1', 'name', 'Ada'); },   // ioredis client, db 0
//   });
//   await openRedisView(wb.page);
//   await treeItem(wb.page, 'local').click();
//   await wb.screenshot('after-expand');          // .test-output/screenshots/after-expand.png
//   assert.equal(await wb.redis.hget('user:1', 'name'), 'Ada');
//   await wb.stop();                              // closes chromium, code-server and redis-server
//
// startWorkbench(options):
//   seed(redis, port)  fills the throwaway Redis before the workbench opens (ioredis client on db 0)
//   connections        `redisHashExplorer.connections` written to the user settings; default one
//                      connection named "local" to the throwaway Redis: [{ name: 'local', host, port }]
//                      (use the `redisPort` argument of a function: connections: (port) => [...])
//   settings           more user settings (merged over code-server's quiet defaults)
//   env                extra environment for code-server (reaches the extension host)
//   viewport           { width, height } of the page (default 1400 x 900)
// It resolves once the workbench has loaded and the extension is running, with
//   { page, browser, redis, redisPort, server, workspace, stop(), screenshot(name) }.
//
// Needs the extension built (node esbuild.mjs) and the tests compiled (npx tsc -p tsconfig.json:
// the throwaway Redis comes from out/test/support/redisServer.js). code-server is installed on first
// use by scripts/ensure-code-server.sh. Never `npx playwright install`: Debian's chromium is used.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, remoteUri, repoRoot, startCodeServer, workbenchUrl } from '../host/codeServer.mjs';

const require = createRequire(import.meta.url);

export const screenshotDir = join(repoRoot, '.test-output', 'screenshots');

export async function startWorkbench({ seed, connections, settings = {}, env = {}, viewport = { width: 1400, height: 900 } } = {}) {
  const cleanups = [];
  const stop = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // keep stopping the rest
      }
    }
  };
  try {
    const { startRedis } = require(join(repoRoot, 'out', 'test', 'support', 'redisServer.js'));
    const Redis = require('ioredis');
    const server = await startRedis();
    cleanups.push(() => server.stop());
    const redis = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 });
    cleanups.push(() => redis.disconnect());
    if (seed) await seed(redis, server.port);

    const profiles = typeof connections === 'function' ? connections(server.port) : (connections ?? [{ name: 'local', host: '127.0.0.1', port: server.port }]);
    const workspace = mkdtempSync(join(tmpdir(), 'rhe-ui-workspace-'));
    cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
    const codeServer = await startCodeServer({
      env,
      settings: { 'redisHashExplorer.connections': profiles, 'workbench.colorTheme': 'Default Dark Modern', ...settings },
    });
    cleanups.push(() => codeServer.stop());

    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport });
    const url = workbenchUrl(codeServer.url, { folder: workspace, payload: [['extensionDevelopmentPath', remoteUri(repoRoot)], ['skipWelcome', 'true']] });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await activityTab(page).waitFor({ timeout: 60_000 });

    mkdirSync(screenshotDir, { recursive: true });
    const screenshot = async (name) => {
      const file = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    };
    return { page, browser, redis, redisPort: server.port, server: codeServer, workspace, stop, screenshot };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The activity-bar entry of the extension's view container. */
export function activityTab(page) {
  return page.getByRole('tab', { name: /Redis Hash Explorer/ });
}

/** Opens the Redis view (clicking its activity-bar entry unless it is showing) and waits for its content. */
export async function openRedisView(page) {
  const title = page.locator('.part.sidebar .title-label', { hasText: /Redis Hash Explorer/i });
  if (!(await title.isVisible())) await activityTab(page).click();
  await title.waitFor();
  // The tree's first rows, or the welcome content when there is no connection.
  await page.locator('.part.sidebar .pane-body [role=treeitem], .part.sidebar .pane-body .welcome-view-content').first().waitFor({ timeout: 30_000 });
}

/** A row of the Redis view's tree by its label (exact), e.g. treeItem(page, 'local'). */
export function treeItem(page, label) {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.locator('.part.sidebar .pane-body').getByRole('treeitem').filter({ has: page.locator('.label-name', { hasText: exact }) });
}

/** What the Redis view's tree shows (each row's label, with + or - when it is collapsed or expanded), for failure messages. */
export async function treeRows(page) {
  return page.locator('.part.sidebar .pane-body').getByRole('treeitem').evaluateAll((rows) =>
    rows.map((r) => `${{ true: '- ', false: '+ ' }[r.getAttribute('aria-expanded')] ?? ''}${r.textContent ?? ''}`),
  );
}

/**
 * Expands a collapsed tree row (clicking it) and waits until it says expanded. A refresh may put a new, collapsed
 * row in its place just after the click: it is clicked again then (an expanded row is never clicked, so never folded).
 */
export async function expand(page, label) {
  const row = treeItem(page, label).first();
  await row.waitFor();
  // Asked of the row found anew each time: a refresh of the tree (a scan that ends) may render it as a new element.
  const expanded = async () => (await row.getAttribute('aria-expanded', { timeout: 1000 })) === 'true';
  let clicked = 0;
  await waitUntil(`"${label}" expanded`, async () => {
    if (await expanded()) return true;
    // (not while its children load: that row is expanding already)
    if (Date.now() - clicked > 3000 && !(await row.locator('.codicon-tree-item-loading').count())) {
      await row.click({ timeout: 2000 });
      clicked = Date.now();
    }
    return false;
  }, 30_000);
}

/**
 * Right-clicks a tree row and runs an item of its context menu. A click that lands while the menu is
 * still settling is ignored by the workbench, so the item is hovered first and clicked until the menu closes.
 */
export async function contextMenu(page, row, itemName) {
  await row.click({ button: 'right' });
  const item = page.locator('.context-view .action-label', { hasText: itemName });
  await item.waitFor();
  for (let attempt = 0; attempt < 5 && (await item.isVisible()); attempt++) {
    await item.hover();
    await page.waitForTimeout(100);
    if (await item.isVisible()) await item.click({ timeout: 2_000 }).catch(() => {});
    await item.waitFor({ state: 'hidden', timeout: 1_000 }).catch(() => {});
  }
}

/** Opens a hash from the Redis view (connection "local"): expands its folder and clicks the key's inline Open Hash Editor. */
export async function openHashFromTree(page, folder, keyLabel) {
  await openRedisView(page);
  await expand(page, 'local');
  await expand(page, folder);
  const key = treeItem(page, keyLabel).first();
  await key.hover();
  await key.getByRole('button', { name: 'Open Hash Editor' }).click();
}

/** Runs a command from the palette by its title ("Redis: Add Connection"). */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input[role="combobox"]');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The quick input's text box (InputBox or QuickPick), once shown. */
export async function quickInput(page) {
  const input = page.locator('.quick-input-widget input[role="combobox"]');
  await input.waitFor();
  return input;
}

/**
 * Waits until `fn` resolves truthy (Redis or DOM state after an action); throws with `what` after `ms` (a function
 * is called then, so the message can say what was seen last).
 */
export async function waitUntil(what, fn, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'function' ? await what() : what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Switches the colour theme from the palette (Preferences: Color Theme) and waits until the workbench shows it,
 * e.g. setTheme(page, 'Light Modern', 'vs'); classes: vs, vs-dark, hc-black, hc-light.
 */
export async function setTheme(page, name, themeClass) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input[role="combobox"]');
  await input.waitFor();
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Dark Modern' }).first().waitFor();
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().click();
  await page.locator(`.monaco-workbench.${themeClass}`).waitFor();
}

export const MILLION = 1_000_000;

/** Seeds `big:hash` with 1,000,000 fields `field:<i>` → a small JSON record, in pipelines of 10,000 fields. */
export async function seedMillion(redis) {
  for (let i = 0; i < MILLION; i += 100_000) {
    const p = redis.pipeline();
    for (let j = i; j < i + 100_000; j += 10_000) {
      const args = [];
      for (let k = j; k < j + 10_000; k++) args.push(`field:${k}`, `{"id":${k},"qty":${k % 97}}`);
      p.hset('big:hash', ...args);
    }
    await p.exec();
  }
}

/** Opens the hash editor on `key` from the palette (Redis: Open Hash Editor, the key typed, Enter). */
export async function openHashFromPalette(page, key) {
  await runCommand(page, 'Redis: Open Hash Editor');
  const input = await quickInput(page);
  await input.fill(key);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: key }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The hash editor's document (two frames deep: the webview, then its active frame). */
export function hashEditorFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The table row of a field by its exact name. */
export function fieldRow(frame, field) {
  return frame.locator('.grid-body .row').filter({ has: frame.locator(`.cell.field .txt:text-is(${JSON.stringify(field)})`) });
}

/** Whether the server has field TTLs (HEXPIRE in its command table: Redis 7.4+, Redis 8). */
export async function hasFieldTtls(redis) {
  const [info] = await redis.call('COMMAND', 'INFO', 'hexpire');
  return Array.isArray(info);
}

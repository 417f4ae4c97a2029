// What a new user trips over in the hash editor, checked in the real workbench: typing into the lookup box
// right after a click, adding a field that exists, the sort note's counts with a filter, a failed load shown
// as a failure, layout that does not jump, labels and tooltips with shortcuts, a row context menu, and flows
// done with the keyboard alone. Every write is checked in Redis with a separate client.
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expand, openRedisView, setTheme, startWorkbench, treeItem, waitUntil } from './fixture.mjs';
import { repoRoot } from '../host/codeServer.mjs';

const require = createRequire(import.meta.url);

/** The hash editor's document: two frames deep. */
const editor = (page) => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
const rowNamed = (frame, field) => frame.locator('.grid-body .row').filter({ has: frame.locator(`.cell.field .txt:text-is(${JSON.stringify(field)})`) });
/** The exact-lookup box (the second search box of the toolbar). */
const lookupBox = (frame) => frame.locator('.toolbar input[type=search]').nth(1);
const focusedText = (frame) => frame.locator('body').evaluate((b) => b.ownerDocument.activeElement?.textContent ?? '');
/** What has the focus inside the editor's document. */
const focused = (frame) =>
  frame.locator('body').evaluate((b) => {
    const e = b.ownerDocument.activeElement;
    return e ? `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}` : '';
  });

async function openEditor(page, connection, folder, key) {
  await openRedisView(page);
  await expand(page, connection);
  await expand(page, folder);
  const row = treeItem(page, key).first();
  await row.hover();
  await row.getByRole('button', { name: 'Open Hash Editor' }).click();
}

describe('hash editor polish (workbench)', function () {
  this.timeout(300_000);
  let wb;
  let page;
  let flaky;

  before(async () => {
    const { FaultyRedis } = require(join(repoRoot, 'out', 'test', 'support', 'faultyRedis.js'));
    flaky = await FaultyRedis.start();
    await flaky.admin().hset('cache:h', 'a', '1', 'b', '2', 'c', '3');
    wb = await startWorkbench({
      connections: (port) => [
        { name: 'local', host: '127.0.0.1', port },
        { name: 'flaky', host: '127.0.0.1', port: flaky.port },
      ],
      seed: async (redis) => {
        const args = [];
        for (let i = 0; i < 10; i++) args.push(`sku:zzz${i}`, `item ${i}`);
        for (let i = 0; i < 87; i++) args.push(`f:${i}`, `v${i}`);
        args.push('note', 'line one\nline two', 'blob', Buffer.from([0xff, 0x00, 0x10, 0x80]), 'doc', '{"a":1}');
        await redis.hset('shop:items', ...args);
      },
    });
    page = wb.page;
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`polish-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`);
  });
  after(async () => {
    await wb?.stop();
    await flaky?.stop();
  });

  it('opens with no row selected; the first arrow key selects the first row', async () => {
    await openEditor(page, 'local', 'shop', 'items');
    const frame = editor(page);
    await frame.locator('.grid-body .row:not(.loading)').first().waitFor();
    assert.equal(await frame.locator('.grid-body .row[aria-selected="true"]').count(), 0);
    assert.equal(await frame.locator('.grid-body .row.cursor').count(), 0);
    // the table has the focus: arrows work at once
    assert.equal(await focused(frame), 'div.grid-body');
    await page.keyboard.press('ArrowDown');
    await frame.locator('.grid-body .row[aria-rowindex="2"][aria-selected="true"]').waitFor();
  });

  it('keeps every key typed into the lookup box right after a click', async () => {
    const frame = editor(page);
    const box = lookupBox(frame);
    await box.click();
    await page.keyboard.type('sku:zzz0');
    await page.keyboard.press('Enter');
    await rowNamed(frame, 'sku:zzz0').and(frame.locator('[aria-selected="true"]')).waitFor();
    for (const n of [1, 2, 3]) {
      await box.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(`sku:zzz${n}`);
      assert.equal(await box.inputValue(), `sku:zzz${n}`);
      await page.keyboard.press('Enter');
      await rowNamed(frame, `sku:zzz${n}`).and(frame.locator('[aria-selected="true"]')).waitFor();
    }
  });

  it('says a field exists when adding it, writes nothing, and offers to edit it', async () => {
    const frame = editor(page);
    await frame.locator('.toolbar button', { hasText: /^Add/ }).or(frame.getByRole('button', { name: 'Add field', exact: true })).first().click();
    const dialog = frame.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Field name', exact: true }).fill('sku:zzz4');
    await dialog.getByRole('textbox', { name: 'Value', exact: true }).fill('mine');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    const box = dialog.locator('.conflict');
    await box.waitFor();
    const text = await box.innerText();
    assert.match(text, /A field named "sku:zzz4" already exists in this hash; nothing was written/);
    assert.doesNotMatch(text, /changed on the server/);
    assert.equal(await dialog.locator('.server-value').innerText(), 'item 4');
    assert.equal(await wb.redis.hget('shop:items', 'sku:zzz4'), 'item 4');
    await dialog.getByRole('button', { name: 'Edit its value' }).click();
    // the value editor of that field, with the server's value
    await frame.getByRole('dialog', { name: 'Edit value of sku:zzz4' }).waitFor();
    assert.equal(await frame.getByRole('dialog').getByRole('textbox', { name: 'Value', exact: true }).inputValue(), 'item 4');
    await rowNamed(frame, 'sku:zzz4').and(frame.locator('[aria-selected="true"]')).waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await frame.getByRole('dialog').count(), 0);
    assert.equal(await wb.redis.hget('shop:items', 'sku:zzz4'), 'item 4');
    assert.equal(await wb.redis.hlen('shop:items'), 100);
  });

  it('says what the sort note counts when a filter is on', async () => {
    const frame = editor(page);
    const pattern = frame.locator('.toolbar input[type=search]').nth(0);
    await pattern.fill('sku:*');
    await pattern.press('Enter');
    const progress = frame.locator('.progress-text');
    await waitUntil('the 10 matching fields', async () => /^10 fields matching sku:\*/.test((await progress.textContent()) ?? ''));
    await frame.locator('.toolbar input[type=search]').nth(2).fill('zzz1');
    await waitUntil('one row shown', async () => (await frame.locator('.grid-body .row').count()) === 1);
    await frame.locator('.header-row .cell.value .sort-button').click();
    const note = frame.locator('.view-note');
    await waitUntil('a sort note', async () => /Sorted by value/.test((await note.textContent()) ?? ''));
    const text = await note.textContent();
    assert.match(text, /\b1 field shown by the filter\b/);
    assert.match(text, /\b10 fields matching sku:\*/);
    assert.doesNotMatch(text, /the 1 fields? loaded/);
    // back to the whole hash, unsorted, no filter
    await frame.locator('.header-row .cell.value .sort-button').click();
    await frame.locator('.header-row .cell.value .sort-button').click();
    await frame.locator('.toolbar input[type=search]').nth(2).fill('');
    await pattern.fill('');
    await pattern.press('Enter');
    let said = '';
    await waitUntil(() => `all 100 loaded (the progress said "${said}")`, async () => /^100 of 100 loaded$/.test((said = (await progress.textContent()) ?? '')));
  });

  it('shows a multi-line value with line marks, and binary values in the normal text colour', async () => {
    const frame = editor(page);
    const lookup = lookupBox(frame);
    await lookup.fill('note');
    await lookup.press('Enter');
    const note = rowNamed(frame, 'note').locator('.cell.value .txt');
    await note.waitFor();
    assert.equal(await note.textContent(), 'line one ↵ line two');
    await lookup.fill('blob');
    await lookup.press('Enter');
    const blob = rowNamed(frame, 'blob').locator('.cell.value .txt');
    await blob.waitFor();
    const color = (loc) => loc.evaluate((e) => e.ownerDocument.defaultView.getComputedStyle(e).color);
    const plain = rowNamed(frame, 'blob').locator('.cell.field .txt');
    assert.equal(await color(blob), await color(plain), 'a binary value is not coloured like an error');
  });

  it('keeps the table where it is when a note shows', async () => {
    const frame = editor(page);
    const top = () => frame.locator('.table-wrap').evaluate((e) => e.getBoundingClientRect().top);
    const before = await top();
    const lookup = lookupBox(frame);
    await lookup.fill('no such field');
    await lookup.press('Enter');
    await frame.locator('.note', { hasText: 'No field named "no such field" in this hash.' }).waitFor();
    assert.equal(await top(), before);
  });

  it('labels every toolbar action and gives its shortcut in the tooltip', async () => {
    const frame = editor(page);
    const expected = [
      ['Add', /Insert/],
      ['Edit', /Enter/],
      ['Rename', /F2/],
      ['Delete', /Delete/],
      ['Copy', /Ctrl\+C/],
      ['Actions', /Shift\+F10/],
    ];
    for (const [label, shortcut] of expected) {
      const b = frame.locator('.actions button', { hasText: new RegExp(`^\\s*${label}`) });
      assert.equal(await b.count(), 1, `a button labelled ${label}`);
      assert.match((await b.getAttribute('title')) ?? '', shortcut, `${label}'s tooltip`);
    }
    // every button of the editor has a name a screen reader can read
    for (const b of await frame.locator('button:visible').all()) {
      const name = (await b.getAttribute('aria-label')) ?? (await b.innerText()).trim();
      assert.ok(name.length > 1, `a button without a name: ${await b.evaluate((e) => e.outerHTML.slice(0, 120))}`);
    }
    // the search boxes say what they are, in words
    for (const name of ['Load fields matching a pattern', 'Go to field', 'Filter loaded fields']) {
      assert.equal(await frame.getByRole('searchbox', { name, exact: true }).count(), 1, name);
    }
  });

  it('adds, renames and deletes with the keyboard alone; focus comes back to the row', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'note').locator('.cell.field').click();
    // Insert: the add dialog, Ctrl+Enter adds
    await page.keyboard.press('Insert');
    const dialog = frame.getByRole('dialog');
    await dialog.waitFor();
    await page.keyboard.type('kbd:new');
    await page.keyboard.press('Tab');
    await page.keyboard.type('typed');
    await page.keyboard.press('Control+Enter');
    await waitUntil('kbd:new in Redis', async () => (await wb.redis.hget('shop:items', 'kbd:new')) === 'typed');
    await rowNamed(frame, 'kbd:new').and(frame.locator('[aria-selected="true"]')).waitFor();
    assert.equal(await focused(frame), 'div.grid-body');
    // Shift+F10: the row's menu; arrows and Enter pick Rename
    await page.keyboard.press('Shift+F10');
    const menu = frame.getByRole('menu');
    await menu.waitFor();
    assert.match(await focused(frame), /^div\.menu-item/);
    const items = await menu.getByRole('menuitem').allInnerTexts();
    for (const want of ['Edit value', 'Rename field', 'Delete', 'Copy name', 'Copy value', 'Copy as JSON']) {
      assert.ok(items.some((t) => t.startsWith(want)), `menu item ${want} in ${JSON.stringify(items)}`);
    }
    for (let i = 0; i < 10 && !/^Rename field/.test(await focusedText(frame)); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const rename = frame.getByRole('textbox', { name: 'New name', exact: true });
    await rename.waitFor();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('kbd:renamed');
    await page.keyboard.press('Enter');
    await waitUntil('renamed in Redis', async () => (await wb.redis.hget('shop:items', 'kbd:renamed')) === 'typed' && (await wb.redis.hexists('shop:items', 'kbd:new')) === 0);
    await rowNamed(frame, 'kbd:renamed').and(frame.locator('[aria-selected="true"]')).waitFor();
    assert.equal(await focused(frame), 'div.grid-body');
    // Escape closes the menu and gives the focus back
    await page.keyboard.press('Shift+F10');
    await menu.waitFor();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    assert.equal(await focused(frame), 'div.grid-body');
    // Delete asks in the workbench's own dialog; Enter confirms
    await page.keyboard.press('Delete');
    const modal = page.locator('.monaco-dialog-box');
    await modal.waitFor();
    assert.match(await modal.innerText(), /kbd:renamed/);
    await page.keyboard.press('Enter');
    await waitUntil('deleted in Redis', async () => (await wb.redis.hexists('shop:items', 'kbd:renamed')) === 0);
    await rowNamed(frame, 'kbd:renamed').waitFor({ state: 'detached' });
    await waitUntil('focus back in the table', async () => (await focused(frame)) === 'div.grid-body');
    assert.equal(await wb.redis.hlen('shop:items'), 100);
  });

  it('shows a failed load as a failure with what to do, and the Stop button moves nothing', async () => {
    await openEditor(page, 'flaky', 'cache', 'h');
    const frame = editor(page);
    await frame.locator('h1.key', { hasText: 'cache:h' }).waitFor();
    await rowNamed(frame, 'a').waitFor();
    const top = () => frame.locator('.table-wrap').evaluate((e) => e.getBoundingClientRect().top);
    const before = await top();
    // a server that does not answer: the reload hangs, Stop shows and the table stays where it is
    flaky.pause();
    try {
      await frame.getByRole('button', { name: /^Refresh/ }).click();
      await frame.getByRole('button', { name: /^Stop/ }).waitFor();
      assert.equal(await top(), before);
    } finally {
      flaky.resume();
    }
    await waitUntil('loaded again', async () => /^3 of 3 loaded$/.test((await frame.locator('.progress-text').textContent()) ?? ''));
    // the server goes away: the reload fails and says so
    await flaky.shutdown();
    await frame.getByRole('button', { name: /^Refresh/ }).click();
    const failure = frame.locator('.load-failure');
    await failure.waitFor({ timeout: 60_000 });
    const text = await failure.innerText();
    assert.match(text, /Could not load the fields of cache:h from flaky/);
    assert.match(text, /Nothing was written/);
    assert.equal(await frame.locator('.empty', { hasText: 'No fields.' }).count(), 0);
    assert.equal(await frame.locator('.grid-body .row').count(), 0);
    assert.doesNotMatch(await frame.locator('.title-row').innerText(), /3 fields/);
    assert.equal(await failure.getByRole('button', { name: 'Try again' }).isVisible(), true);
    await wb.screenshot('hash-editor-load-failed');
    // back up (empty: no persistence): Try again loads what is there now
    await flaky.restart();
    await flaky.admin().hset('cache:h', 'z', '26');
    // (the editor may have reloaded by itself when the connection came back, before the field was written)
    // (and it may do so between a look at the failure panel and a click on it: then Refresh)
    await failure
      .getByRole('button', { name: 'Try again' })
      .click({ timeout: 3000 })
      .catch(() => frame.getByRole('button', { name: /^Refresh/ }).click());
    await rowNamed(frame, 'z').waitFor({ timeout: 60_000 });
    assert.equal(await failure.isVisible(), false);
  });
  it('has readable "Valid JSON" on a light theme, and screenshots of the tree and the editor in four themes', async () => {
    await page.locator('.tab', { hasText: 'shop:items' }).click();
    const frame = editor(page);
    const lookup = lookupBox(frame);
    // the editor is shown again: wait for its rows (its init takes the focus) before the palette opens
    await frame.locator('.grid-body .row:not(.loading)').first().waitFor();
    await setTheme(page, 'Light Modern', 'vs');
    await frame.locator('body.vscode-light').waitFor();
    await lookup.fill('doc');
    await lookup.press('Enter');
    await rowNamed(frame, 'doc').locator('.cell.value').dblclick();
    const status = frame.getByRole('dialog').locator('.json-status');
    await status.waitFor();
    assert.equal(await status.textContent(), 'Valid JSON');
    const ratio = await status.evaluate((e) => {
      const win = e.ownerDocument.defaultView;
      const rgb = (c) => c.match(/[\d.]+/g).map(Number);
      const lum = ([r, g, b]) => {
        const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      let bg = e;
      while (bg && (win.getComputedStyle(bg).backgroundColor === 'rgba(0, 0, 0, 0)' || win.getComputedStyle(bg).backgroundColor === 'transparent')) bg = bg.parentElement;
      const a = lum(rgb(win.getComputedStyle(e).color));
      const b = lum(rgb(win.getComputedStyle(bg ?? e.ownerDocument.body).backgroundColor));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    });
    assert.ok(ratio >= 4.5, `"Valid JSON" contrast ${ratio.toFixed(2)}:1 on the light theme (WCAG AA asks 4.5:1)`);
    await page.keyboard.press('Escape');
    await frame.getByRole('dialog').waitFor({ state: 'detached' });

    // the README's pictures: the tree and the editor with its value pane, in each kind of theme
    const dir = join(repoRoot, 'docs', 'screenshots');
    mkdirSync(dir, { recursive: true });
    await page.setViewportSize({ width: 1100, height: 600 });
    await rowNamed(frame, 'doc').locator('.cell.field').click();
    for (const [theme, cls, body, file] of [
      ['Light Modern', 'vs', 'vscode-light', 'light'],
      ['Dark Modern', 'vs-dark', 'vscode-dark', 'dark'],
      ['Light High Contrast', 'hc-light', 'vscode-high-contrast-light', 'high-contrast-light'],
      ['Dark High Contrast', 'hc-black', 'vscode-high-contrast', 'high-contrast-dark'],
    ]) {
      await setTheme(page, theme, cls);
      await frame.locator(`body.${body}`).waitFor();
      await frame.locator('.value-pane .pane-body').waitFor();
      await page.screenshot({ path: join(dir, `editor-${file}.png`) });
    }
    await page.setViewportSize({ width: 1400, height: 900 });
  });
});

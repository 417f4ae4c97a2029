// The hash editor in a real workbench (code-server + headless chromium) against a real Redis:
// open from the tree and the palette, add / edit / rename / delete checked in Redis, a hostile field
// name shown as text, a 1,000,000-field hash usable while it loads with a small DOM, restore after a
// reload, and screenshots in dark, light and high-contrast themes.
import * as assert from 'node:assert/strict';
import { MILLION, expand, fieldRow as rowNamed, hasFieldTtls, hashEditorFrame as editor, openHashFromPalette, openRedisView, seedMillion, startWorkbench, treeItem, waitUntil } from './fixture.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>';

/** Switches the color theme from the palette (Preferences: Color Theme), waiting until the workbench shows it. */
async function setTheme(wb, name, themeClass) {
  const page = wb.page;
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

describe('hash editor (workbench)', function () {
  this.timeout(300_000);
  let wb;
  let page;
  const dialogs = [];

  before(async () => {
    wb = await startWorkbench({
      seed: async (redis) => {
        await redis.hset('shop:cart', 'apple', '3', 'pear', '5', 'plum', '7', 'fig', '{"kind":"fruit","tags":["a","b"]}', HOSTILE, 'html name');
        await seedMillion(redis);
      },
    });
    page = wb.page;
    // An alert() from the hostile name would show up here (from any frame of the page).
    page.on('dialog', (d) => {
      // the workbench may ask before unloading (the reload test); anything else is recorded and refused
      if (d.type() === 'beforeunload') return void d.accept();
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`hash-editor-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`);
  });
  after(async () => {
    await wb?.stop();
  });

  it('opens a hash from the tree and shows its fields', async () => {
    await openRedisView(page);
    await expand(page, 'local');
    await expand(page, 'shop');
    // the hash key row's inline action
    const cart = treeItem(page, 'cart').first();
    await cart.hover();
    await cart.getByRole('button', { name: 'Open Hash Editor' }).click();
    const frame = editor(page);
    await rowNamed(frame, 'apple').waitFor();
    assert.equal(await frame.locator('h1.key').textContent(), 'shop:cart');
    assert.equal(await frame.locator('.grid-body .row').count(), 5);
    assert.equal(await frame.locator('[role=grid]').getAttribute('aria-rowcount'), '6');
    assert.match(await frame.locator('.progress-text').textContent(), /^5 of 5 loaded/);
    // a TTL column only where the server has field TTLs (none on Redis 7.0)
    assert.equal(await frame.locator('.header-row .cell.ttl').isVisible(), await hasFieldTtls(wb.redis));
    await wb.screenshot('hash-editor-dark');
  });

  it('shows a field named like HTML as text and runs nothing', async () => {
    const frame = editor(page);
    const cell = rowNamed(frame, HOSTILE).locator('.cell.field .txt');
    await cell.waitFor();
    assert.equal(await cell.textContent(), HOSTILE);
    assert.equal(await frame.locator('img').count(), 0);
    assert.equal(await frame.locator('[onerror]').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  it('adds a field', async () => {
    const frame = editor(page);
    await frame.getByRole('button', { name: 'Add field', exact: true }).click();
    await frame.getByRole('textbox', { name: 'Field name', exact: true }).fill('kiwi');
    await frame.getByRole('textbox', { name: 'Value', exact: true }).fill('9');
    await frame.getByRole('dialog').getByRole('button', { name: 'Add', exact: true }).click();
    await waitUntil('kiwi in Redis', async () => (await wb.redis.hget('shop:cart', 'kiwi')) === '9');
    await rowNamed(frame, 'kiwi').waitFor();
    assert.equal(await frame.getByRole('dialog').count(), 0);
  });

  it('edits a value in place (Enter, type, Enter)', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'apple').locator('.cell.value').click();
    await page.keyboard.press('Enter');
    const input = frame.locator('input.inline-edit');
    await input.waitFor();
    assert.equal(await input.inputValue(), '3');
    await input.fill('4');
    await page.keyboard.press('Enter');
    await waitUntil('apple = 4 in Redis', async () => (await wb.redis.hget('shop:cart', 'apple')) === '4');
    await waitUntil('the row shows 4', async () => (await rowNamed(frame, 'apple').locator('.cell.value .txt').textContent()) === '4');
  });

  it('edits JSON in the multi-line editor with a JSON view', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'fig').locator('.cell.value').dblclick();
    const dialog = frame.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Format JSON' }).click();
    assert.equal(await dialog.locator('.json-status').textContent(), 'Valid JSON');
    const area = dialog.getByRole('textbox', { name: 'Value', exact: true });
    assert.equal(await area.inputValue(), JSON.stringify({ kind: 'fruit', tags: ['a', 'b'] }, null, 2));
    await wb.screenshot('hash-editor-json-dialog');
    await area.fill('{"kind": "fruit", broken');
    assert.match(await dialog.locator('.json-status').textContent(), /^Not valid JSON/);
    await area.fill('{"kind":"berry"}');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await waitUntil('fig saved', async () => (await wb.redis.hget('shop:cart', 'fig')) === '{"kind":"berry"}');
  });

  it('offers Overwrite when the value changed on the server meanwhile', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'kiwi').locator('.cell.value').click();
    await page.keyboard.press('Enter');
    const input = frame.locator('input.inline-edit');
    await input.waitFor();
    await wb.redis.hset('shop:cart', 'kiwi', 'changed elsewhere');
    await input.fill('10');
    await page.keyboard.press('Enter');
    const dialog = frame.getByRole('dialog');
    await dialog.locator('.server-value').waitFor();
    assert.equal(await dialog.locator('.server-value').textContent(), 'changed elsewhere');
    assert.equal(await wb.redis.hget('shop:cart', 'kiwi'), 'changed elsewhere');
    await wb.screenshot('hash-editor-conflict');
    await dialog.getByRole('button', { name: 'Overwrite with mine' }).click();
    await waitUntil('kiwi overwritten', async () => (await wb.redis.hget('shop:cart', 'kiwi')) === '10');
  });

  it('renames a field (F2)', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'pear').locator('.cell.field').click();
    await page.keyboard.press('F2');
    const input = frame.getByRole('textbox', { name: 'New name', exact: true });
    await input.waitFor();
    await input.fill('pears');
    await page.keyboard.press('Enter');
    await waitUntil('renamed in Redis', async () => (await wb.redis.hget('shop:cart', 'pears')) === '5' && (await wb.redis.hexists('shop:cart', 'pear')) === 0);
    await rowNamed(frame, 'pears').waitFor();
  });

  it('deletes a field after the confirmation dialog', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'plum').locator('.cell.field').click();
    await page.keyboard.press('Delete');
    const modal = page.locator('.monaco-dialog-box');
    await modal.waitFor();
    assert.match(await modal.textContent(), /Delete field "plum"/);
    await modal.getByRole('button', { name: 'Delete' }).click();
    await waitUntil('plum gone from Redis', async () => (await wb.redis.hexists('shop:cart', 'plum')) === 0);
    await rowNamed(frame, 'plum').waitFor({ state: 'detached' });
    assert.equal(await wb.redis.hlen('shop:cart'), 5);
  });

  it('field TTLs: set with T, counting down, sorted by, removed (only where the server has them)', async () => {
    const frame = editor(page);
    const ttlButton = frame.getByRole('button', { name: 'Field TTL', exact: true });
    const ttlInput = frame.locator('input.ttl-edit');
    await rowNamed(frame, 'apple').locator('.cell.field').click();
    if (!(await hasFieldTtls(wb.redis))) {
      assert.equal(await frame.locator('.header-row .cell.ttl').isVisible(), false);
      assert.equal(await ttlButton.isVisible(), false);
      await page.keyboard.press('t');
      assert.equal(await ttlInput.count(), 0);
      return;
    }
    const ttlText = (field) => rowNamed(frame, field).locator('.cell.ttl .txt').textContent();
    assert.equal(await ttlText('apple'), 'no TTL');
    assert.equal(await rowNamed(frame, 'apple').locator('.cell.ttl').getAttribute('data-state'), 'none');
    await page.keyboard.press('t');
    await ttlInput.waitFor();
    // a typo is refused in the page: nothing sent
    await ttlInput.fill('12x');
    await page.keyboard.press('Enter');
    await frame.locator('.note.error', { hasText: 'A whole number of seconds' }).waitFor();
    assert.equal(await ttlInput.getAttribute('aria-invalid'), 'true');
    await ttlInput.fill('120');
    await page.keyboard.press('Enter');
    await waitUntil('apple has a TTL in Redis', async () => {
      const [t] = await wb.redis.call('HTTL', 'shop:cart', 'FIELDS', '1', 'apple');
      return t > 100 && t <= 120;
    });
    await waitUntil('the row shows it', async () => /^(2m|1m \d+s)$/.test((await ttlText('apple')) ?? ''));
    const shown = await ttlText('apple');
    await waitUntil('it counts down', async () => (await ttlText('apple')) !== shown, 5_000);
    // a second field through the toolbar button, then sort by TTL: soonest first
    await rowNamed(frame, 'kiwi').locator('.cell.field').click();
    await ttlButton.click();
    await ttlInput.waitFor();
    await ttlInput.fill('60');
    await page.keyboard.press('Enter');
    await waitUntil('kiwi has a TTL in Redis', async () => (await wb.redis.call('HTTL', 'shop:cart', 'FIELDS', '1', 'kiwi'))[0] > 0);
    const sortButton = frame.locator('.header-row .cell.ttl .sort-button');
    await sortButton.click();
    const firstFields = async () => (await frame.locator('.grid-body .row:not(.loading) .cell.field .txt').allTextContents()).slice(0, 2);
    await waitUntil('sorted by TTL', async () => JSON.stringify(await firstFields()) === JSON.stringify(['kiwi', 'apple']));
    assert.equal(await frame.locator('.header-row .cell.ttl').getAttribute('aria-sort'), 'ascending');
    await wb.screenshot('hash-editor-field-ttl');
    await sortButton.click();
    await waitUntil('descending', async () => (await frame.locator('.header-row .cell.ttl').getAttribute('aria-sort')) === 'descending');
    await sortButton.click();
    await waitUntil('unsorted', async () => (await frame.locator('.header-row .cell.ttl').getAttribute('aria-sort')) === 'none');
    // remove: empty input
    await rowNamed(frame, 'apple').locator('.cell.ttl').dblclick();
    await ttlInput.waitFor();
    await ttlInput.fill('');
    await page.keyboard.press('Enter');
    await waitUntil('apple has no TTL in Redis', async () => (await wb.redis.call('HTTL', 'shop:cart', 'FIELDS', '1', 'apple'))[0] === -1);
    await waitUntil('the row says so', async () => (await ttlText('apple')) === 'no TTL');
    assert.equal(await wb.redis.hget('shop:cart', 'apple'), '4');
  });

  it("sets the key's TTL from the header, which says it the way the tree does", async () => {
    const frame = editor(page);
    const ttlHeader = frame.locator('.title-row button.ttl');
    assert.equal(await ttlHeader.textContent(), 'TTL: no TTL');
    await ttlHeader.click();
    const input = frame.locator('input.ttl-input');
    await input.fill('120');
    await input.press('Enter');
    await frame.locator('.note', { hasText: 'TTL set to 2m.' }).waitFor();
    await waitUntil('the header shows it', async () => /^TTL: (2m|1m \d+s)$/.test((await ttlHeader.textContent()) ?? ''));
    const ttl = await wb.redis.ttl('shop:cart');
    assert.ok(ttl > 100 && ttl <= 120, `TTL in Redis: ${ttl}`);
    // removed again (empty input): the tests after this one use the key
    await ttlHeader.click();
    await input.fill('');
    await input.press('Enter');
    await waitUntil('no TTL in Redis', async () => (await wb.redis.ttl('shop:cart')) === -1);
    await waitUntil('the header says so', async () => (await ttlHeader.textContent()) === 'TTL: no TTL');
    assert.equal(await wb.redis.hget('shop:cart', 'apple'), '4');
  });

  it('looks the same in light and high-contrast themes', async () => {
    const frame = editor(page);
    await setTheme(wb, 'Light Modern', 'vs');
    // the webview follows: its body says which kind of theme it has
    await frame.locator('body.vscode-light').waitFor();
    await frame.locator('.grid-body .row').first().waitFor();
    await wb.screenshot('hash-editor-light');
    await setTheme(wb, 'Dark High Contrast', 'hc-black');
    await frame.locator('body.vscode-high-contrast').waitFor();
    await wb.screenshot('hash-editor-high-contrast');
    await setTheme(wb, 'Dark Modern', 'vs-dark');
    await frame.locator('body.vscode-dark').waitFor();
  });

  it('comes back after a window reload (panel serializer)', async () => {
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const frame = editor(page);
    await rowNamed(frame, 'apple').waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('h1.key').textContent(), 'shop:cart');
  });

  it('opens a 1,000,000-field hash from the palette: rows while loading, a small DOM at the end', async () => {
    await openHashFromPalette(page, 'big:hash');
    const frame = editor(page);
    const progress = frame.locator('.progress-text');
    const realRows = frame.locator('.spacer .row:not(.loading)');
    // rows are on screen while the progress still says loading continues
    await waitUntil('rows while loading', async () => {
      const text = (await progress.textContent()) ?? '';
      return (await realRows.count()) > 0 && /of 1,000,000 loaded — loading/.test(text) && !/^1,000,000 of/.test(text);
    }, 60_000);
    await wb.screenshot('hash-editor-1m-loading');
    await waitUntil('all loaded', async () => /^1,000,000 of 1,000,000 loaded$/.test((await progress.textContent()) ?? ''), 120_000);
    assert.equal(await frame.locator('[role=grid]').getAttribute('aria-rowcount'), String(MILLION + 1));
    await realRows.first().click();
    await page.keyboard.press('End');
    const last = frame.locator(`.grid-body .row[aria-rowindex="${MILLION + 1}"]:not(.loading)`);
    await last.waitFor({ timeout: 30_000 });
    assert.equal(await last.getAttribute('aria-selected'), 'true');
    const inDom = await frame.locator('.grid-body .row').count();
    assert.ok(inDom < 200, `${inDom} rows in the DOM`);
    await wb.screenshot('hash-editor-1m-end');
  });
});

// Decoded values in a real workbench (code-server + headless chromium) against a real Redis: a gzip'd JSON
// value shows its decoder and decoded preview in the table; selecting it shows the value pane; Edit, change the
// JSON, Save writes it re-gzipped (checked in Redis byte for byte); a pickle says it is read-only.
import * as assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expand, fieldRow as rowNamed, hashEditorFrame as editor, openRedisView, startWorkbench, treeItem, waitUntil } from './fixture.mjs';

const DOC = { user: 'ada', roles: ['admin', 'dev'], visits: 12 };

describe('decoded values (workbench)', function () {
  this.timeout(300_000);
  let wb;
  let page;

  before(async () => {
    wb = await startWorkbench({
      seed: async (redis) => {
        // pickle.dumps({'a': 1}, protocol=2)
        await redis.hset('sess:one', 'data', gzipSync(JSON.stringify(DOC)), 'pickled', Buffer.from('80027d710058010000006171014b01732e', 'hex'), 'note', 'plain text');
      },
    });
    page = wb.page;
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await wb.screenshot(`decoded-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}`);
  });
  after(async () => {
    await wb?.stop();
  });

  it('shows a gzip JSON value decoded in the table and the value pane, and saves an edit re-gzipped', async () => {
    await openRedisView(page);
    await expand(page, 'local');
    await expand(page, 'sess');
    const key = treeItem(page, 'one').first();
    await key.hover();
    await key.getByRole('button', { name: 'Open Hash Editor' }).click();
    const frame = editor(page);
    const row = rowNamed(frame, 'data');
    await row.waitFor();
    await waitUntil('the decoder badge', async () => (await row.locator('.cell.value').textContent())?.includes('gzip+json'));
    assert.match(await row.locator('.cell.value .txt').textContent(), /^\{ "user": "ada", "roles": \[ "admin", "dev" \], "visits": 12 \}$/);

    await row.locator('.cell.value').click();
    const pane = frame.locator('.value-pane');
    await pane.locator('pre.json').waitFor();
    assert.match(await pane.locator('.pane-info').textContent(), /^gzip\+json \(detected\) · \d+ B decoded from \d+ B/);
    assert.equal(await pane.locator('pre.json').textContent(), JSON.stringify(DOC, null, 2));
    assert.ok((await pane.locator('.j-key').count()) >= 3, 'keys coloured');
    await wb.screenshot('decoded-value-pane');

    await pane.getByRole('button', { name: 'Edit', exact: true }).click();
    const area = pane.locator('textarea.pane-editor');
    await area.waitFor();
    await area.fill(JSON.stringify({ ...DOC, user: 'grace' }, null, 2));
    await pane.getByRole('button', { name: 'Save', exact: true }).click();
    await waitUntil('the edit in Redis', async () => {
      const b = await wb.redis.hgetBuffer('sess:one', 'data');
      return b && b.equals(gzipSync(JSON.stringify({ ...DOC, user: 'grace' })));
    });
    assert.equal(JSON.parse(gunzipSync(await wb.redis.hgetBuffer('sess:one', 'data')).toString()).user, 'grace');
    await waitUntil('the pane shows the new value', async () => (await pane.locator('pre.json').textContent())?.includes('"grace"'));
  });

  it('a pickle is shown as a tree and says it is read-only', async () => {
    const frame = editor(page);
    await rowNamed(frame, 'pickled').locator('.cell.value').click();
    const pane = frame.locator('.value-pane');
    await waitUntil('the pickle decoded', async () => (await pane.locator('.pane-info').textContent())?.startsWith('pickle (detected)'));
    assert.match(await pane.locator('.pane-notes').textContent(), /read-only/);
    assert.equal(await pane.getByRole('button', { name: 'Edit', exact: true }).isVisible(), false);
    assert.match(await pane.locator('.tree-leaf').first().textContent(), /a: 1/);
  });
});

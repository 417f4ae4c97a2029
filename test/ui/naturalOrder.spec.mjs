// Natural order of names in the real workbench: numbers in key and folder names sort by value
// (item2 before item10), and the sortOrder setting gives Redis's byte order back.
import * as assert from 'node:assert/strict';
import { expand, openRedisView, startWorkbench, treeItem, waitUntil } from './fixture.mjs';

const rowLabels = (page) => page.locator('.part.sidebar .pane-body [role=treeitem] .label-name').allTextContents();

describe('natural order of names (UI)', function () {
  let wb;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => {});
    await wb?.stop();
    wb = undefined;
  });

  const seed = async (redis) => {
    const p = redis.pipeline();
    for (const k of ['item10', 'item2', 'item1', 'item100', 'v:10:x', 'v:9:x']) p.hset(k, 'f', 'v');
    await p.exec();
  };

  it('lists item1, item2, item10, item100 and folders 9 before 10', async () => {
    wb = await startWorkbench({ seed });
    const { page } = wb;
    await openRedisView(page);
    await expand(page, 'local');
    await expand(page, 'v');
    await treeItem(page, '10').waitFor();
    await treeItem(page, 'item100').waitFor();
    assert.deepEqual(await rowLabels(page), ['local', 'v', '9', '10', 'item1', 'item2', 'item10', 'item100']);
  });

  it('lists them in byte order with sortOrder "bytes"', async () => {
    wb = await startWorkbench({ seed, settings: { 'redisHashExplorer.sortOrder': 'bytes' } });
    const { page } = wb;
    await openRedisView(page);
    await expand(page, 'local');
    await expand(page, 'v');
    await treeItem(page, '9').waitFor();
    await waitUntil('all keys listed', async () => ((await rowLabels(page)).length === 8 ? true : undefined));
    assert.deepEqual(await rowLabels(page), ['local', 'v', '10', '9', 'item1', 'item10', 'item100', 'item2']);
  });
});

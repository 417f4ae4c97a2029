import * as assert from 'node:assert/strict';
import { HashPager } from '../../src/core/pagers';
import { getServerInfo } from '../../src/core/serverInfo';
import { admin, connect } from './hooks';

describe('HSCAN names only (NOVALUES)', () => {
  const db = 8;
  before(async () => {
    await admin().select(db);
    await admin().flushdb();
    await admin().hset('big', 'a', 'x'.repeat(100_000), 'b', 'y'.repeat(100_000), 'c', '3');
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('pages names without values where the server offers it, and every name once', async () => {
    const conn = await connect({}, undefined, db);
    const { capabilities } = await getServerInfo(conn);
    const pager = new HashPager(conn, 'big', { count: 1, noValues: capabilities.hscanNoValues });
    const names: string[] = [];
    let values = 0;
    while (!pager.done) {
      const page = await pager.next();
      names.push(...page.fields.map((f) => f.toString()));
      values += page.values.length;
    }
    assert.deepEqual(names.sort(), ['a', 'b', 'c']);
    assert.equal(values, capabilities.hscanNoValues ? 0 : 3);
    const before = Number(/total_net_output_bytes:(\d+)/.exec(await admin().info('stats'))?.[1]);
    const p2 = new HashPager(conn, 'big', { count: 10, noValues: capabilities.hscanNoValues });
    await p2.next();
    const sent = Number(/total_net_output_bytes:(\d+)/.exec(await admin().info('stats'))?.[1]) - before;
    if (capabilities.hscanNoValues) assert.ok(sent < 10_000, `names only: ${sent} bytes went out`);
    else assert.ok(sent > 200_000, `values too: ${sent} bytes went out`);
  });
});

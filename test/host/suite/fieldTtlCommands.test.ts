// Field TTLs through the commands (scripted, palette) on whatever server the host suite runs on: the
// whole feature where the server has HEXPIRE (Redis 7.4+), a clear refusal where it has not. Also: a
// scripted argument a command does not take is refused, never ignored. Database 5, connections "fttl-…".
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { TestHooks } from './sidebarSupport';
import { closeClients, commandCounts, connectionNode, hooks, itemOf, path, profile, redis, rejectionOf, setConnections, waitFor, withPrompts } from './sidebarSupport';

const DB = 5;
const CONN = 'fttl-main';
/** The palette's connection pick, when other suites' connections are there too. */
const pickConn = { pick: async <T extends vscode.QuickPickItem>(items: readonly T[]) => items.find((i) => i.label === CONN) };
const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));

describe('Field TTL commands', function () {
  this.timeout(60_000);
  let h: TestHooks;
  let r: Redis;
  let hasFieldTtl: boolean;

  async function httl(field: string, key = 'fttl:h'): Promise<number> {
    return Number(((await r.call('HTTL', key, 'FIELDS', '1', field)) as number[])[0]);
  }

  before(async () => {
    h = await hooks();
    r = redis(DB);
    const info = (await r.call('COMMAND', 'INFO', 'hexpire')) as unknown[];
    hasFieldTtl = Array.isArray(info[0]);
    await setConnections('fttl-', [profile(CONN, DB)]);
  });

  beforeEach(async () => {
    await r.flushdb();
    await r.hset('fttl:h', 'a', '1', 'b', '2');
    if (hasFieldTtl) await r.call('HEXPIRE', 'fttl:h', '3600', 'FIELDS', '1', 'a');
  });

  after(async () => {
    await setConnections('fttl-', []);
    await r.flushdb();
    closeClients();
  });

  it('setFieldTtl sets, changes and removes a field TTL, or is refused where the server has none', async () => {
    if (!hasFieldTtl) {
      const msg = await rejectionOf('redisHashExplorer.setFieldTtl', { connection: CONN, key: 'fttl:h', field: 'b', ttl: 100 });
      assert.match(msg, /^Field TTLs need Redis 7\.4 or later \(or Valkey 9\); this server is (Redis|Valkey) \d+\.\d+\.\d+\. Nothing was changed\.$/);
      assert.equal((await commandCounts(r)).hexpire, undefined, 'no HEXPIRE was sent');
      return;
    }
    await run('setFieldTtl', { connection: CONN, key: 'fttl:h', field: 'b', ttl: 100 });
    assert.equal(await httl('b'), 100);
    await run('setFieldTtl', { connection: CONN, db: DB, key: 'fttl:h', field: 'b', ttl: 40 });
    assert.equal(await httl('b'), 40);
    await run('setFieldTtl', { connection: CONN, key: 'fttl:h', field: 'b', ttl: 0 });
    assert.equal(await httl('b'), -1);
    await run('setFieldTtl', { connection: CONN, key: 'fttl:h', field: 'a', ttl: -1 });
    assert.equal(await httl('a'), -1);
    assert.deepEqual(await r.hgetall('fttl:h'), { a: '1', b: '2' }, 'values untouched');
  });

  it('setFieldTtl refuses a missing field, a missing key and bad TTLs, writing nothing', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ connection: CONN, key: 'fttl:h', field: 'b', ttl: 1.5 }, /"ttl" must be a whole number of seconds/],
      [{ connection: CONN, key: 'fttl:h', field: 'b', ttl: -7 }, /"ttl" must be a whole number of seconds/],
      [{ connection: CONN, key: 'fttl:h', field: 'b', ttl: '10' }, /"ttl" must be a whole number of seconds/],
      [{ connection: CONN, key: 'fttl:h', field: 'b' }, /needs "ttl"/],
      [{ connection: CONN, key: 'fttl:h', ttl: 10 }, /needs "field"/],
    ];
    if (hasFieldTtl) {
      bad.push(
        [{ connection: CONN, key: 'fttl:h', field: 'b', ttl: 1e15 }, /A field TTL can be at most [\d,]+ seconds; nothing was changed\./],
        [{ connection: CONN, key: 'fttl:h', field: 'nope', ttl: 10 }, /^Field "nope" does not exist in "fttl:h"; nothing was changed\.$/],
        [{ connection: CONN, key: 'fttl:gone', field: 'a', ttl: 10 }, /does not exist in "fttl:gone"/],
      );
    }
    for (const [arg, expected] of bad) assert.match(await rejectionOf('redisHashExplorer.setFieldTtl', arg), expected, JSON.stringify(arg));
    assert.deepEqual(await r.hgetall('fttl:h'), { a: '1', b: '2' });
    assert.equal(await r.exists('fttl:gone'), 0);
    if (hasFieldTtl) {
      assert.equal(await httl('b'), -1);
      assert.ok((await httl('a')) > 3500);
    }
  });

  it('an edit and a rename through the commands keep the field TTL', async () => {
    await run('editField', { connection: CONN, key: 'fttl:h', field: 'a', value: 'edited' });
    assert.equal(await r.hget('fttl:h', 'a'), 'edited');
    if (hasFieldTtl) assert.ok((await httl('a')) > 3500, 'edit kept the TTL');
    await run('renameField', { connection: CONN, key: 'fttl:h', field: 'a', newName: 'a2' });
    assert.equal(await r.hget('fttl:h', 'a2'), 'edited');
    if (hasFieldTtl) assert.ok((await httl('a2')) > 3500, 'rename kept the TTL');
  });

  it('addField with a ttl adds the field with its TTL in one step, or refuses it where the server has none', async () => {
    if (!hasFieldTtl) {
      assert.match(await rejectionOf('redisHashExplorer.addField', { connection: CONN, key: 'fttl:h', field: 'n', value: 'v', ttl: 60 }), /Field TTLs need Redis 7\.4/);
      assert.equal(await r.hexists('fttl:h', 'n'), 0, 'nothing was written');
      return;
    }
    await run('addField', { connection: CONN, key: 'fttl:h', field: 'n', value: 'v', ttl: 60 });
    assert.equal(await r.hget('fttl:h', 'n'), 'v');
    assert.equal(await httl('n'), 60);
  });

  it('from the palette: asks for the seconds with the current TTL filled in, and confirms', async () => {
    if (!hasFieldTtl) return assert.match(await rejectionOf('redisHashExplorer.setFieldTtl', { connection: CONN, key: 'fttl:h', field: 'a', ttl: 5 }), /Field TTLs need/);
    const asked: Array<string | undefined> = [];
    const told: string[] = [];
    await withPrompts(
      h,
      {
        ...pickConn,
        pickKey: async () => Buffer.from('fttl:h'),
        pickField: async () => Buffer.from('a'),
        input: async (o) => {
          asked.push(o.value);
          assert.equal(o.validateInput?.('abc') !== undefined, true, 'non-numbers are refused while typing');
          return '120';
        },
        inform: (m) => void told.push(m),
      },
      () => run('setFieldTtl'),
    );
    assert.ok(Number(asked[0]) > 3500, `the current TTL is filled in (${asked[0]})`);
    assert.equal(await httl('a'), 120);
    assert.deepEqual(told, ['Field "a" now expires in 2m.']);
  });

  it('a scripted argument the command does not take is refused, and nothing changes', async () => {
    await r.expire('fttl:h', 1000);
    const msg = await rejectionOf('redisHashExplorer.setTtl', { connection: CONN, key: 'fttl:h', field: 'a', ttl: 100 });
    assert.match(msg, /^redisHashExplorer\.setTtl does not take "field" \(it takes: connection, db, key, ttl\); nothing was done\. To set the TTL of a field, use redisHashExplorer\.setFieldTtl\.$/);
    assert.equal(await r.ttl('fttl:h'), 1000, "the key's TTL was not touched");
    if (hasFieldTtl) assert.ok((await httl('a')) > 3500, "the field's TTL was not touched");
    assert.match(await rejectionOf('redisHashExplorer.deleteKey', { connection: CONN, key: 'fttl:h', field: 'a' }), /does not take "field"/);
    assert.equal(await r.exists('fttl:h'), 1, 'deleteKey with a field did not delete the key');
    assert.match(await rejectionOf('redisHashExplorer.editField', { connection: CONN, key: 'fttl:h', field: 'a', value: 'x', newName: 'q' }), /does not take "newName"/);
    assert.equal(await r.hget('fttl:h', 'a'), '1');
  });

  it('Set TTL (key) from the palette says what it did', async () => {
    const told: string[] = [];
    await withPrompts(h, { ...pickConn, pickKey: async () => Buffer.from('fttl:h'), input: async () => '90', inform: (m) => void told.push(m) }, () => run('setTtl'));
    assert.equal(await r.ttl('fttl:h'), 90);
    await withPrompts(h, { ...pickConn, pickKey: async () => Buffer.from('fttl:h'), input: async () => '', inform: (m) => void told.push(m) }, () => run('setTtl'));
    assert.equal(await r.ttl('fttl:h'), -1);
    assert.deepEqual(told, ['Key "fttl:h" now expires in 1m 30s.', 'Key "fttl:h" no longer has a TTL.']);
  });

  it('the field picker asks HSCAN for names only where the server can (NOVALUES)', async () => {
    let noValues: boolean | undefined;
    await withPrompts(
      h,
      {
        ...pickConn,
        pickKey: async () => Buffer.from('fttl:h'),
        pickField: async (_c, _k, o) => {
          noValues = o.noValues;
          return Buffer.from('b');
        },
      },
      () => run('copyValue'),
    );
    let supported: boolean;
    try {
      await r.call('HSCAN', 'fttl:h', '0', 'NOVALUES');
      supported = true;
    } catch {
      supported = false;
    }
    assert.equal(noValues, supported);
  });

  it("the tree shows a field's TTL in its tooltip and offers Set Field TTL only where the server has field TTLs", async () => {
    await run('refresh', { connection: CONN });
    const before = (await commandCounts(r)).httl ?? 0;
    const conn = await connectionNode(h.tree, CONN);
    const a = await path(h.tree, conn, 'fttl', 'h', 'a');
    const b = await path(h.tree, conn, 'fttl', 'h', 'b');
    const tipOf = (n: typeof a) => String(itemOf(h.tree, n).tooltip);
    const version = /redis_version:(\S+)/.exec(await r.info('server'))?.[1];
    assert.ok(
      String(itemOf(h.tree, conn).tooltip).includes(`\nRedis ${version} (standalone)${hasFieldTtl ? ', field TTLs' : ''}\n`),
      `the connection's tooltip names the server: ${String(itemOf(h.tree, conn).tooltip)}`,
    );
    if (!hasFieldTtl) {
      assert.equal(itemOf(h.tree, a).contextValue, 'field');
      assert.doesNotMatch(tipOf(a), /TTL|expires/);
      assert.equal((await commandCounts(r)).httl, undefined, 'no HTTL sent to a server without field TTLs');
      return;
    }
    assert.equal(itemOf(h.tree, a).contextValue, 'field.fttl');
    assert.match(tipOf(a), /\nexpires in (59m|1h)/);
    assert.match(tipOf(b), /\nno TTL\n/);
    assert.equal((await commandCounts(r)).httl, before + 1, 'one HTTL for the page of fields');
    await run('setFieldTtl', { connection: CONN, key: 'fttl:h', field: 'b', ttl: 300 });
    await waitFor('the tooltip of b to show its new TTL', () => /\nexpires in (5m|4m)/.test(tipOf(b)) || undefined);
  });

  it('Overwrite after a conflict writes over the value the conflict showed, and asks again if it moved once more', async () => {
    await run('refresh', { connection: CONN });
    const b = await path(h.tree, await connectionNode(h.tree, CONN), 'fttl', 'h', 'b');
    await r.hset('fttl:h', 'b', 'second');
    const questions: string[] = [];
    await withPrompts(
      h,
      {
        input: async () => 'mine',
        ask: async (m: string) => {
          questions.push(m);
          if (questions.length === 1) {
            await r.hset('fttl:h', 'b', 'third');
            return 'Overwrite' as never;
          }
          return undefined;
        },
      },
      () => run('editField', b),
    );
    assert.equal(questions.length, 2, 'the second change was noticed');
    assert.match(questions[1], /changed on the server since it was shown\. Nothing was written\./);
    assert.equal(await r.hget('fttl:h', 'b'), 'third', 'a value the user never saw was not overwritten');
  });

  it('an edit of a field whose TTL ran out says it expired, and writes nothing', async () => {
    if (!hasFieldTtl) return assert.equal(await r.exists('fttl:h'), 1);
    await r.call('HPEXPIRE', 'fttl:h', '1500', 'FIELDS', '1', 'b');
    await run('refresh', { connection: CONN });
    const b = await path(h.tree, await connectionNode(h.tree, CONN), 'fttl', 'h', 'b');
    await waitFor('field b to expire', async () => ((await r.hexists('fttl:h', 'b')) === 0 ? true : undefined), 5000);
    let question = '';
    await withPrompts(h, { input: async () => 'mine', ask: async (m: string) => ((question = m), undefined) }, () => run('editField', b));
    assert.equal(question, 'Field "b" expired on the server (its TTL ran out) since it was shown. Nothing was written.');
    assert.equal(await r.hexists('fttl:h', 'b'), 0);
  });
});

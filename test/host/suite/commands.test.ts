// Every sidebar command through executeCommand with plain arguments (asks nothing), and the node and
// palette paths with prompts answered through the extension's prompt test hook. Results are checked in
// Redis with a separate client. Database 13, connections named "cmd-…".
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/tree/nodes';
import type { ProfileSetting, TestHooks } from './sidebarSupport';
import { closeClients, connectionNode, hooks, kids, itemOf, keysUnder, labelOf, path, profile, redis, redisPort, rejectionOf, setConnections, withPrompts } from './sidebarSupport';

const DB = 13;
const CONN = 'cmd-main';
const RO = 'cmd-ro';
const run = (id: string, arg?: unknown, selection?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg, selection));

function connectionsSetting(): ProfileSetting[] {
  return vscode.workspace.getConfiguration('redisHashExplorer').inspect<ProfileSetting[]>('connections')?.globalValue ?? [];
}

/** Every file under a folder that contains `needle` (bytes). */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile() && st.size < 50_000_000 && readFileSync(full).includes(needle)) hits.push(full);
    }
  };
  walk(dir);
  return hits;
}

describe('Sidebar commands', function () {
  this.timeout(60_000);
  let h: TestHooks;
  let r: Redis;

  before(async () => {
    h = await hooks();
    r = redis(DB);
    await r.flushdb();
    await r.hset('cmd:h1', 'a', '1', 'b', '2', 'c', '3');
    await r.hset('cmd:h2', 'x', 'y');
    await setConnections('cmd-', [profile(CONN, DB), profile(RO, DB, { readOnly: true })]);
  });

  after(async () => {
    await setConnections('cmd-', []);
    await r.call('ACL', 'DELUSER', 'cmd-user');
    await r.flushdb();
    closeClients();
  });

  describe('connections', () => {
    const PASSWORD = 'S3cret-cmd-pass-7f3a';

    before(async () => {
      await r.call('ACL', 'SETUSER', 'cmd-user', 'on', `>${PASSWORD}`, '~*', '&*', '+@all');
    });

    it('addConnection keeps the password out of settings and every stored file, and connects with it', async () => {
      await run('addConnection', { connection: 'cmd-acl', host: '127.0.0.1', port: redisPort(), db: DB, username: 'cmd-user', password: PASSWORD });
      const saved = connectionsSetting().find((p) => p.name === 'cmd-acl');
      assert.deepEqual(saved, { name: 'cmd-acl', host: '127.0.0.1', port: redisPort(), db: DB, username: 'cmd-user' });
      const conn = await connectionNode(h.tree, 'cmd-acl');
      assert.deepEqual((await keysUnder(h.tree, conn)).sort(), ['cmd:h1', 'cmd:h2'], 'connected with the stored password');
      // code-server's throwaway user-data folder (settings, global state, logs, workspace storage) holds its IPC socket.
      const userData = dirname(process.env.CODE_SERVER_SESSION_SOCKET ?? '/nonexistent/x');
      assert.ok(existsSync(join(userData, 'User', 'settings.json')), `user data not found at ${userData}`);
      assert.ok(readFileSync(join(userData, 'User', 'settings.json'), 'utf8').includes('cmd-acl'));
      assert.deepEqual(filesContaining(userData, PASSWORD), [], 'the password is in a stored file');
    });

    it('editConnection renames a connection; its password moves with it', async () => {
      await run('editConnection', { connection: 'cmd-acl', newName: 'cmd-acl2' });
      assert.deepEqual(
        connectionsSetting().filter((p) => p.name.startsWith('cmd-acl')).map((p) => p.name),
        ['cmd-acl2'],
      );
      const conn = await connectionNode(h.tree, 'cmd-acl2');
      assert.equal((await keysUnder(h.tree, conn)).length, 2);
    });

    it('removeConnection removes it from settings and deletes its password', async () => {
      await run('removeConnection', { connection: 'cmd-acl2' });
      assert.equal(connectionsSetting().find((p) => p.name === 'cmd-acl2'), undefined);
      // Added again without a password: the old one must not come back.
      await run('addConnection', { connection: 'cmd-acl2', host: '127.0.0.1', port: redisPort(), db: DB, username: 'cmd-user', test: false });
      const conn = await connectionNode(h.tree, 'cmd-acl2');
      assert.match(labelOf(h.tree, (await kids(h.tree, conn))[0]), /^Authentication failed/);
      await run('removeConnection', { connection: 'cmd-acl2' });
    });

    it('addConnection accepts a pasted rediss:// URL and refuses a name that exists', async () => {
      await run('addConnection', { connection: 'cmd-url', url: 'rediss://someone:pw@redis.example.com:6380/3', test: false });
      assert.deepEqual(
        connectionsSetting().find((p) => p.name === 'cmd-url'),
        { name: 'cmd-url', host: 'redis.example.com', port: 6380, db: 3, username: 'someone', tls: true },
      );
      assert.match(await rejectionOf('redisHashExplorer.addConnection', { connection: 'cmd-url', host: 'x', port: 1 }), /exists already/);
      await run('removeConnection', { connection: 'cmd-url' });
    });

    it('addConnection from the palette: a pasted URL, a name, the review list, Save', async () => {
      const inputs = [`redis://127.0.0.1:${redisPort()}/${DB}`, 'cmd-ui'];
      const picks = ['Read-only', 'Key separator', '$(check) Save'];
      const separatorAnswer = '/';
      const seen: string[] = [];
      await withPrompts(
        h,
        {
          input: async (o) => {
            seen.push(o.prompt ?? '');
            return /Separator/.test(o.prompt ?? '') ? separatorAnswer : inputs.shift();
          },
          pick: async <T extends vscode.QuickPickItem>(items: readonly T[]) => items.find((i) => i.label === picks[0] && picks.shift()),
        },
        () => run('addConnection'),
      );
      assert.deepEqual(
        connectionsSetting().find((p) => p.name === 'cmd-ui'),
        { name: 'cmd-ui', host: '127.0.0.1', port: redisPort(), db: DB, readOnly: true, separator: '/' },
      );
      assert.match(seen[0], /redis:\/\/ or rediss:\/\/ URL/);
      const node = await connectionNode(h.tree, 'cmd-ui');
      let question = '';
      await withPrompts(h, { ask: async (m: string) => ((question = m), 'Remove' as never) }, () => run('removeConnection', node));
      assert.equal(question, 'Remove the connection "cmd-ui"?');
      assert.equal(connectionsSetting().find((p) => p.name === 'cmd-ui'), undefined);
    });
  });

  describe('keys and fields (scripted)', () => {
    it('addHash creates a hash with its first field and refuses an existing key', async () => {
      await run('addHash', { connection: CONN, key: 'cmd:new', field: 'f1', value: 'v1' });
      assert.deepEqual(await r.hgetall('cmd:new'), { f1: 'v1' });
      assert.match(await rejectionOf('redisHashExplorer.addHash', { connection: CONN, key: 'cmd:new', field: 'f2', value: 'x' }), /already exists/);
      assert.deepEqual(await r.hgetall('cmd:new'), { f1: 'v1' });
    });

    it('addField adds a field, refuses an existing one and a missing hash', async () => {
      await run('addField', { connection: CONN, key: 'cmd:new', field: 'f2', value: 'v2' });
      assert.equal(await r.hget('cmd:new', 'f2'), 'v2');
      assert.match(await rejectionOf('redisHashExplorer.addField', { connection: CONN, key: 'cmd:new', field: 'f2', value: 'other' }), /already exists/);
      assert.equal(await r.hget('cmd:new', 'f2'), 'v2');
      assert.match(await rejectionOf('redisHashExplorer.addField', { connection: CONN, key: 'cmd:missing', field: 'f', value: 'v' }), /no longer exists/);
      assert.equal(await r.exists('cmd:missing'), 0);
    });

    it('editField sets the value of an existing field, and refuses to create one', async () => {
      await run('editField', { connection: CONN, key: 'cmd:new', field: 'f1', value: 'changed' });
      assert.equal(await r.hget('cmd:new', 'f1'), 'changed');
      assert.match(await rejectionOf('redisHashExplorer.editField', { connection: CONN, key: 'cmd:new', field: 'nope', value: 'v' }), /does not exist/);
      assert.equal(await r.hexists('cmd:new', 'nope'), 0);
    });

    it('renameField renames atomically and refuses an existing name', async () => {
      await run('renameField', { connection: CONN, key: 'cmd:new', field: 'f2', newName: 'f3' });
      assert.deepEqual(await r.hgetall('cmd:new'), { f1: 'changed', f3: 'v2' });
      assert.match(await rejectionOf('redisHashExplorer.renameField', { connection: CONN, key: 'cmd:new', field: 'f3', newName: 'f1' }), /already exists/);
      assert.deepEqual(await r.hgetall('cmd:new'), { f1: 'changed', f3: 'v2' });
    });

    it('deleteField deletes without asking and rejects a missing field', async () => {
      await run('deleteField', { connection: CONN, key: 'cmd:new', field: 'f3' });
      assert.deepEqual(await r.hgetall('cmd:new'), { f1: 'changed' });
      assert.match(await rejectionOf('redisHashExplorer.deleteField', { connection: CONN, key: 'cmd:new', field: 'f3' }), /does not exist/);
    });

    it('copyValue and copyKeyName put the text on the clipboard', async () => {
      await run('copyValue', { connection: CONN, key: 'cmd:new', field: 'f1' });
      assert.equal(await vscode.env.clipboard.readText(), 'changed');
      await run('copyKeyName', { connection: CONN, key: 'cmd:new' });
      assert.equal(await vscode.env.clipboard.readText(), 'cmd:new');
    });

    it('setTtl sets a TTL, and 0 removes it', async () => {
      await run('setTtl', { connection: CONN, key: 'cmd:new', ttl: 500 });
      const ttl = await r.ttl('cmd:new');
      assert.ok(ttl > 490 && ttl <= 500, `ttl ${ttl}`);
      await run('setTtl', { connection: CONN, key: 'cmd:new', ttl: 0 });
      assert.equal(await r.ttl('cmd:new'), -1);
      assert.match(await rejectionOf('redisHashExplorer.setTtl', { connection: CONN, key: 'cmd:missing', ttl: 5 }), /no longer exists/);
    });

    it('renameKey renames and never overwrites', async () => {
      await run('renameKey', { connection: CONN, key: 'cmd:new', newName: 'cmd:renamed' });
      assert.equal(await r.exists('cmd:new'), 0);
      assert.deepEqual(await r.hgetall('cmd:renamed'), { f1: 'changed' });
      assert.match(await rejectionOf('redisHashExplorer.renameKey', { connection: CONN, key: 'cmd:renamed', newName: 'cmd:h1' }), /already exists/);
      assert.equal(await r.hget('cmd:h1', 'a'), '1');
    });

    it('deleteKey deletes without asking and rejects a missing key', async () => {
      await run('deleteKey', { connection: CONN, key: 'cmd:renamed' });
      assert.equal(await r.exists('cmd:renamed'), 0);
      assert.match(await rejectionOf('redisHashExplorer.deleteKey', { connection: CONN, key: 'cmd:renamed' }), /does not exist/);
    });

    it('selectDatabase, filterKeys, clearFilter, refresh, loadMore, disconnect and retryConnection work with plain arguments', async () => {
      await run('selectDatabase', { connection: CONN, db: 1 });
      assert.match(String(itemOf(h.tree, await connectionNode(h.tree, CONN)).description), /^db1 /);
      assert.match(await rejectionOf('redisHashExplorer.selectDatabase', { connection: CONN, db: 99 }), /has no database 99/);
      await run('selectDatabase', { connection: CONN, db: DB });
      await run('filterKeys', { connection: CONN, value: 'cmd:h2' });
      assert.equal(h.tree.filterOf(CONN), 'cmd:h2');
      assert.deepEqual(await keysUnder(h.tree, await connectionNode(h.tree, CONN)), ['cmd:h2']);
      await run('clearFilter', { connection: CONN });
      assert.equal(h.tree.filterOf(CONN), undefined);
      await run('refresh', { connection: CONN });
      await run('loadMore', { connection: CONN });
      assert.deepEqual((await keysUnder(h.tree, await connectionNode(h.tree, CONN))).sort(), ['cmd:h1', 'cmd:h2']);
      await run('disconnect', { connection: CONN });
      assert.equal(itemOf(h.tree, await connectionNode(h.tree, CONN)).contextValue, 'connection.idle');
      await run('retryConnection', { connection: CONN });
      assert.equal(itemOf(h.tree, await connectionNode(h.tree, CONN)).contextValue, 'connection.connected');
    });

    it('rejects bad arguments with a clear message, changing nothing', async () => {
      assert.match(await rejectionOf('redisHashExplorer.addField', { connection: CONN, field: 'f' }), /needs "key"/);
      assert.match(await rejectionOf('redisHashExplorer.deleteKey', { connection: 'cmd-nope', key: 'k' }), /No connection named "cmd-nope"/);
      assert.match(await rejectionOf('redisHashExplorer.editField', { connection: CONN, key: 'cmd:h1', field: 'a', value: 5 }), /"value" must be a string/);
      assert.match(await rejectionOf('redisHashExplorer.setTtl', { connection: CONN, key: 'cmd:h1', ttl: 1.5 }), /whole number/);
      assert.deepEqual(await r.hgetall('cmd:h1'), { a: '1', b: '2', c: '3' });
    });

    it('a read-only connection refuses every write and nothing changes', async () => {
      const writes: Array<[string, Record<string, unknown>]> = [
        ['addHash', { key: 'cmd:ro', field: 'f', value: 'v' }],
        ['addField', { key: 'cmd:h1', field: 'z', value: 'v' }],
        ['editField', { key: 'cmd:h1', field: 'a', value: 'v' }],
        ['renameField', { key: 'cmd:h1', field: 'a', newName: 'aa' }],
        ['deleteField', { key: 'cmd:h1', field: 'a' }],
        ['renameKey', { key: 'cmd:h1', newName: 'cmd:h9' }],
        ['setTtl', { key: 'cmd:h1', ttl: 100 }],
        ['deleteKey', { key: 'cmd:h1' }],
      ];
      for (const [id, arg] of writes) {
        assert.match(await rejectionOf(`redisHashExplorer.${id}`, { connection: RO, ...arg }), /read-only/, id);
      }
      assert.deepEqual(await r.hgetall('cmd:h1'), { a: '1', b: '2', c: '3' });
      assert.equal(await r.ttl('cmd:h1'), -1);
      assert.equal(await r.exists('cmd:ro', 'cmd:h9'), 0);
    });
  });

  describe('from tree nodes and the palette', () => {
    async function fieldNode(key: string, field: string): Promise<TreeNode> {
      await run('refresh', { connection: CONN });
      const conn = await connectionNode(h.tree, CONN);
      return path(h.tree, conn, 'cmd', key.replace(/^cmd:/, ''), field);
    }

    it('editField on a field node writes when the value is unchanged on the server', async () => {
      const node = await fieldNode('cmd:h1', 'a');
      let shown = '';
      await withPrompts(h, { input: async (o) => ((shown = o.value ?? ''), 'from-node') }, () => run('editField', node));
      assert.equal(shown, '1', 'the input box starts with the current value');
      assert.equal(await r.hget('cmd:h1', 'a'), 'from-node');
    });

    it('editField refuses a conflicting edit: Reload keeps the server value, Overwrite writes', async () => {
      const node = await fieldNode('cmd:h1', 'b');
      await r.hset('cmd:h1', 'b', 'changed-on-server');
      let question = '';
      await withPrompts(
        h,
        { input: async () => 'mine', ask: async (message: string) => ((question = message), 'Reload' as never) },
        () => run('editField', node),
      );
      assert.match(question, /Field "b" changed on the server since it was shown/);
      assert.equal(await r.hget('cmd:h1', 'b'), 'changed-on-server', 'nothing was written');
      assert.equal(itemOf(h.tree, node).description, 'changed-on-server', 'the tree shows the server value after Reload');
      await r.hset('cmd:h1', 'b', 'changed-again');
      await withPrompts(h, { input: async () => 'mine', ask: async () => 'Overwrite' as never }, () => run('editField', node));
      assert.equal(await r.hget('cmd:h1', 'b'), 'mine');
      await r.hset('cmd:h1', 'b', 'changed-once-more');
      await withPrompts(h, { input: async () => 'mine-2', ask: async () => undefined }, () => run('editField', node));
      assert.equal(await r.hget('cmd:h1', 'b'), 'changed-once-more', 'dismissing the question writes nothing');
    });

    it('editField from the palette asks for the connection, key, field and value', async () => {
      const asked: string[] = [];
      await withPrompts(
        h,
        {
          pick: async <T extends vscode.QuickPickItem>(items: readonly T[]) => ((asked.push('connection'), items.find((i) => i.label === CONN))),
          pickKey: async () => (asked.push('key'), Buffer.from('cmd:h2')),
          pickField: async () => (asked.push('field'), Buffer.from('x')),
          input: async () => (asked.push('value'), 'from-palette'),
        },
        () => run('editField'),
      );
      assert.deepEqual(asked, ['connection', 'key', 'field', 'value']);
      assert.equal(await r.hget('cmd:h2', 'x'), 'from-palette');
    });

    it('deleteField on a multi-selection asks once, naming the count; Cancel deletes nothing', async () => {
      const a = await fieldNode('cmd:h1', 'a');
      const c = await fieldNode('cmd:h1', 'c');
      const x = await fieldNode('cmd:h2', 'x');
      await withPrompts(h, { ask: async () => undefined }, () => run('deleteField', a, [a, c, x]));
      assert.equal(await r.hlen('cmd:h1'), 3);
      const questions: string[] = [];
      await withPrompts(h, { ask: async (m: string) => (questions.push(m), 'Delete' as never) }, () => run('deleteField', a, [a, c, x]));
      assert.deepEqual(questions, ['Delete 3 fields from 2 hashes?']);
      assert.deepEqual(await r.hgetall('cmd:h1'), { b: 'changed-once-more' });
      assert.equal(await r.exists('cmd:h2'), 0, 'its last field gone, the hash is gone');
    });

    it('renameKey, setTtl, addField and deleteKey from a key node ask for what they need', async () => {
      await r.hset('cmd:k1', 'f', 'v');
      await r.hset('cmd:k2', 'f', 'v');
      await run('refresh', { connection: CONN });
      const conn = await connectionNode(h.tree, CONN);
      const k1 = await path(h.tree, conn, 'cmd', 'k1');
      await withPrompts(h, { input: async (o) => (assert.equal(o.value, 'cmd:k1'), 'cmd:k1b') }, () => run('renameKey', k1));
      assert.equal(await r.exists('cmd:k1b'), 1);
      const k1b = await path(h.tree, conn, 'cmd', 'k1b');
      await withPrompts(h, { input: async () => '120' }, () => run('setTtl', k1b));
      assert.ok((await r.ttl('cmd:k1b')) > 100);
      const answers = ['g', 'gv'];
      await withPrompts(h, { input: async () => answers.shift() }, () => run('addField', k1b));
      assert.equal(await r.hget('cmd:k1b', 'g'), 'gv');
      const k2 = await path(h.tree, conn, 'cmd', 'k2');
      const questions: string[] = [];
      await withPrompts(h, { ask: async (m: string) => (questions.push(m), 'Delete' as never) }, () => run('deleteKey', k1b, [k1b, k2]));
      assert.deepEqual(questions, ['Delete 2 keys?']);
      assert.equal(await r.exists('cmd:k1b', 'cmd:k2'), 0);
    });

    it('addHash from a folder starts the key name with the folder prefix', async () => {
      const conn = await connectionNode(h.tree, CONN);
      const folder = await path(h.tree, conn, 'cmd');
      let prefill = '';
      const answers = ['field1', 'value1'];
      await withPrompts(h, { input: async (o) => (o.prompt?.startsWith('Key name') ? ((prefill = o.value ?? ''), 'cmd:made') : answers.shift()) }, () => run('addHash', folder));
      assert.equal(prefill, 'cmd:');
      assert.deepEqual(await r.hgetall('cmd:made'), { field1: 'value1' });
      assert.ok((await keysUnder(h.tree, conn)).includes('cmd:made'), 'the new key shows in its folder');
    });
  });
});

// Edit Connection while the tree lists the connection: the client the tree opens when VS Code reports the settings
// change is kept; only clients opened with other settings or another password close. Database 1, connections "edit-…".
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { RedisConnection } from '../../../src/core/connection';
import type { PromptLayer } from '../../../src/commands/prompts';
import type { TreeNode } from '../../../src/tree/nodes';
import type { TestHooks } from './sidebarSupport';
import { closeClients, connectionNode, hooks, inputsAndPicks, itemOf, kids, keysUnder, labelOf, redis, redisPort, setConnections, waitFor, withPrompts } from './sidebarSupport';

const DB = 1;
const USER = 'edit-user';
const FIRST = 'Edit-pass-1f3a';
const SECOND = 'Edit-pass-2b7c';
const KEYS = ['edit:a', 'edit:b'];
const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));

describe('Edit Connection keeps the listing the tree starts on the change', function () {
  this.timeout(60_000);
  let h: TestHooks;
  let r: Redis;

  before(async () => {
    h = await hooks();
    r = redis(DB);
    await r.flushdb();
    for (const k of KEYS) await r.hset(k, 'f', '1');
    await r.call('ACL', 'SETUSER', USER, 'on', `>${FIRST}`, '~*', '&*', '+@all');
  });

  afterEach(async () => {
    await setConnections('edit-', []);
    await r.call('ACL', 'SETUSER', USER, 'resetpass', `>${FIRST}`);
  });

  after(async () => {
    await r.call('ACL', 'DELUSER', USER);
    await r.flushdb();
    closeClients();
  });

  /** A connection with a password, listed in the tree; resolves with the client the listing used. */
  async function listed(name: string): Promise<RedisConnection> {
    await run('addConnection', { connection: name, host: '127.0.0.1', port: redisPort(), db: DB, username: USER, password: FIRST });
    assert.deepEqual((await keysUnder(h.tree, await connectionNode(h.tree, name))).sort(), KEYS);
    return h.tree.pool.get(name);
  }

  /**
   * Runs an edit (scripted: its arguments; else the form, answered) and, when VS Code reports the settings change,
   * does what the view does with the edited connection's new row: asks for its children (the tree connects and
   * lists). Resolves with the client that listing opened.
   */
  async function editWhileListing(name: string, edit: Record<string, unknown> | Partial<PromptLayer>, shown = name): Promise<RedisConnection> {
    let opened: Promise<RedisConnection> | undefined;
    const sub = vscode.workspace.onDidChangeConfiguration((e) => {
      const node = h.tree.connectionNode(shown);
      if (opened || !node || !e.affectsConfiguration('redisHashExplorer.connections')) return;
      void h.tree.getChildren(node);
      opened = h.tree.pool.get(shown);
    });
    try {
      if ('pick' in edit) await withPrompts(h, { ...edit, inform: () => undefined }, () => run('editConnection', h.tree.connectionNode(name)));
      else await run('editConnection', { connection: name, ...edit });
    } finally {
      sub.dispose();
    }
    assert.ok(opened, 'the settings change came before the edit resolved');
    return opened;
  }

  /** Waits for a client to be closed (QUIT is answered before the socket ends). */
  async function closed(c: RedisConnection, what: string): Promise<void> {
    await waitFor(`${what} to close`, () => c.status === 'end', 3000);
  }

  /** Once listed, the edited connection's message rows (a failure would be one) and its keys. */
  async function listing(name: string, is: (n: TreeNode) => boolean): Promise<{ messages: string[]; keys: string[] }> {
    const node = await waitFor(`${name} as edited`, () => {
      const n = h.tree.connectionNode(name);
      return n && is(n) ? n : undefined;
    });
    const messages = (await kids(h.tree, node)).filter((n) => n.kind === 'message').map((n) => labelOf(h.tree, n));
    return { messages, keys: (await keysUnder(h.tree, node)).sort() };
  }

  const separated = (n: TreeNode) => n.kind === 'connection' && n.profile.separator === '/';
  const readOnly = (n: TreeNode) => n.kind === 'connection' && n.readOnly;
  for (const [what, edit, is] of [
    // the form reveals the saved connection before the command ends: the tree lists it meanwhile
    ['the form: a new key separator', inputsAndPicks(['Key separator', '$(check) Save'], [[/^Separator that groups keys/, '/']]), separated],
    // the password given again, unchanged: nothing to drop for it
    ['scripted: read-only, the password given', { readOnly: true, password: FIRST }, readOnly],
  ] as const) {
    it(`${what}: the client the tree opened on the change is kept and lists the keys`, async () => {
      const old = await listed('edit-keep');
      const before = h.tree.connectionNode('edit-keep');
      const fresh = await editWhileListing('edit-keep', edit);
      assert.notEqual(fresh, old);
      assert.deepEqual(await listing('edit-keep', is), { messages: [], keys: KEYS });
      // a new row under the old id: VS Code keeps it expanded, listing anew, instead of folding it up
      const after = h.tree.connectionNode('edit-keep');
      assert.notEqual(after, before);
      assert.equal(after && itemOf(h.tree, after).id, before && itemOf(h.tree, before).id);
      await closed(old, 'the client opened with the old settings');
      assert.equal(fresh.status, 'ready', 'the client the tree opened on the change was closed');
      assert.equal(await h.tree.pool.get('edit-keep'), fresh, 'the pool keeps giving it');
    });
  }

  it('a rename: the new name lists with the moved password on the client opened on the change; the old name\'s client closes', async () => {
    const old = await listed('edit-old');
    const fresh = await editWhileListing('edit-old', { newName: 'edit-new' }, 'edit-new');
    assert.deepEqual(await listing('edit-new', () => true), { messages: [], keys: KEYS });
    await closed(old, 'the old name\'s client');
    assert.equal(fresh.status, 'ready', 'the client the tree opened on the change was closed');
    assert.equal(await h.tree.pool.get('edit-new'), fresh);
  });

  it('a password-only change closes the clients opened with the old password; the next listing uses the new one', async () => {
    const old = await listed('edit-pass');
    await r.call('ACL', 'SETUSER', USER, 'resetpass', `>${SECOND}`);
    await run('editConnection', { connection: 'edit-pass', password: SECOND });
    await closed(old, 'the client opened with the old password');
    const fresh = await h.tree.pool.get('edit-pass');
    assert.notEqual(fresh, old);
    assert.deepEqual(await listing('edit-pass', () => true), { messages: [], keys: KEYS });

    await run('editConnection', { connection: 'edit-pass', password: 'not-it-8813' });
    await closed(fresh, 'the client opened with the second password');
    const rows = await kids(h.tree, await connectionNode(h.tree, 'edit-pass'));
    assert.equal(rows.length, 1);
    const tooltip = String(itemOf(h.tree, rows[0]).tooltip);
    assert.match(tooltip, /^Authentication failed/);
    assert.doesNotMatch(tooltip, /not-it-8813/);
    assert.equal(itemOf(h.tree, await connectionNode(h.tree, 'edit-pass')).contextValue, 'connection.failed');
  });

  it('a password changed in another window (shared secret storage): the clients opened with the old one close; the next listing uses the new one', async () => {
    const old = await listed('edit-elsewhere');
    await r.call('ACL', 'SETUSER', USER, 'resetpass', `>${SECOND}`);
    await h.secrets.store('redisHashExplorer.password:edit-elsewhere', SECOND);
    await closed(old, 'the client opened with the old password');
    const fresh = await h.tree.pool.get('edit-elsewhere');
    assert.notEqual(fresh, old);
    assert.deepEqual(await listing('edit-elsewhere', () => true), { messages: [], keys: KEYS });
  });

  it('an edit that changes nothing keeps the open client', async () => {
    const old = await listed('edit-same');
    await run('editConnection', { connection: 'edit-same', password: FIRST });
    assert.equal(old.status, 'ready');
    assert.equal(await h.tree.pool.get('edit-same'), old);
  });
});

// Faults in the real extension host, on a redis-server this file starts and controls (stopped, restarted on the
// same port, paused): the tree, an open hash editor and scripted commands during and after each, checked in
// Redis with a separate client. Connections named "flt-…".
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ConnectionNode } from '../../../src/tree/nodes';
import { fieldUri } from '../../../src/documents/fieldFileSystem';
import { FaultyRedis, LIBRARY_PHRASES } from '../../support/faultyRedis';
import { rowNamed } from './hashEditorSupport';
import type { TestHooks } from './sidebarSupport';
import { connectionNode, hooks, itemOf, keysUnder, rejectionOf, setConnections, setSetting, waitFor } from './sidebarSupport';

const CONN = 'flt-main';
const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));

function ours(message: string, expected: RegExp): void {
  assert.match(message, expected);
  assert.doesNotMatch(message, LIBRARY_PHRASES);
}

describe('Faults', function () {
  this.timeout(90_000);
  let h: TestHooks;
  let server: FaultyRedis;

  async function seed(prefix: string): Promise<void> {
    const a = server.admin();
    for (let i = 1; i <= 6; i++) await a.hset(`${prefix}:${i}`, 'f', `${prefix}-${i}`);
  }

  before(async () => {
    h = await hooks();
    server = await FaultyRedis.start();
    h.tree.pool.connectOptions = { commandTimeoutMs: 600, connectTimeoutMs: 2000, maxReconnectDelayMs: 200 };
    await setSetting('keys.pageSize', 2);
    await seed('old');
    await setConnections('flt-', [{ name: CONN, host: server.host, port: server.port, db: 0 }]);
  });

  after(async () => {
    await setConnections('flt-', []);
    await setSetting('keys.pageSize', undefined);
    h.tree.pool.connectOptions = {};
    await server.stop();
  });

  describe('a database the server does not have', () => {
    it('a scripted write with db 99 is refused and writes nothing anywhere; the connection stays as it was', async () => {
      const message = await rejectionOf('redisHashExplorer.addHash', { connection: CONN, db: 99, key: 'flt:new', field: 'f', value: 'v' });
      ours(message, new RegExp(`server 127\\.0\\.0\\.1:${server.port} has no database 99 \\(it has 0 to 15\\)\\. Nothing was written\\.`));
      assert.equal(await server.admin().exists('flt:new'), 0);
      assert.notEqual(h.tree.pool.status(CONN).state, 'failed');
    });

    it('selectDatabase refuses db 99 and keeps the database shown', async () => {
      ours(await rejectionOf('redisHashExplorer.selectDatabase', { connection: CONN, db: 99 }), /has no database 99/);
      assert.equal(h.tree.pool.selectedDb(CONN), 0);
    });

    it('selecting another database clears the key filter, and says so', async () => {
      await run('filterKeys', { connection: CONN, value: 'old:1*' });
      assert.equal(h.tree.filterOf(CONN), 'old:1*');
      const result = (await run('selectDatabase', { connection: CONN, db: 3 })) as { db: number; clearedFilter?: string };
      assert.deepEqual(result, { db: 3, clearedFilter: 'old:1*' });
      assert.equal(h.tree.filterOf(CONN), undefined);
      assert.equal(h.tree.pool.selectedDb(CONN), 3);
      await run('selectDatabase', { connection: CONN, db: 0 });
    });
  });

  describe('a server stopped and started again on the same port', () => {
    it('the tree shows it is reconnecting, fails "Load more" with our message meanwhile, and recovers by itself', async () => {
      const node = (await connectionNode(h.tree, CONN)) as ConnectionNode;
      assert.ok((await keysUnder(h.tree, node)).length > 0);
      await server.shutdown();
      await waitFor('the connection to show "reconnecting…"', () => h.tree.pool.status(CONN).state === 'reconnecting' && String(itemOf(h.tree, h.tree.connectionNode(CONN) ?? node).description).includes('reconnecting…'));
      ours(await rejectionOf('redisHashExplorer.loadMore', { connection: CONN }), /Not connected to the server 127\.0\.0\.1:\d+: the connection was lost and is reconnecting; nothing was changed\./);
      await server.restart();
      await seed('new');
      // No Retry, no reload: the tree reads the server again once it is back.
      await waitFor('the tree to show the keys of the restarted server', async () => {
        const keys = await keysUnder(h.tree, h.tree.connectionNode(CONN) ?? node);
        return keys.some((k) => k.startsWith('new:')) && !keys.some((k) => k.startsWith('old:'));
      }, 30_000);
      assert.equal(h.tree.pool.status(CONN).state, 'connected');
      await run('loadMore', { connection: CONN });
    });

    it('an open hash editor says it is reconnecting, a write meanwhile writes nothing, and it reloads by itself', async () => {
      await server.admin().hset('flt:h', 'a', 'before');
      const editor = await h.editors.open({ connection: CONN, db: 0, key: 'flt:h' });
      try {
        await editor.loaded();
        await server.shutdown();
        await waitFor('the editor status to say it is reconnecting', () => /reconnecting/.test(editor.status().message ?? ''));
        ours(await rejectionOf('redisHashExplorer.editField', { connection: CONN, key: 'flt:h', field: 'a', value: 'during' }), /nothing was (written|changed)\./);
        await server.restart();
        // By itself: once the connection is back, the editor reloads (the restarted server is empty).
        await waitFor('the editor to reload by itself', async () => {
          await editor.loaded();
          return editor.status().load === 'done' && !/reconnecting/.test(editor.status().message ?? '') && editor.status().loaded === 0;
        }, 30_000);
        // and it reads from the server again (a refresh shows what was written since)
        await server.admin().hset('flt:h', 'a', 'after', 'b', 'new');
        await editor.request('load', { action: 'refresh' });
        await waitFor('the refreshed rows', async () => {
          await editor.loaded();
          return editor.status().load === 'done' && editor.status().loaded === 2;
        }, 30_000);
        assert.equal(await server.admin().hget('flt:h', 'a'), 'after', 'the write during the outage was never sent');
      } finally {
        editor.panel.dispose();
      }
    });

    it('an open value document shows the value written while the server was down, once it is back', async () => {
      await server.admin().hset('flt:doc', 'long', 'line 1\nline 2');
      const uri = fieldUri({ connection: CONN, db: 0, key: Buffer.from('flt:doc'), field: Buffer.from('long') }, false);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.getText(), 'line 1\nline 2');
      await server.shutdown();
      await server.restart();
      await server.admin().hset('flt:doc', 'long', 'written while we were away');
      await waitFor('the document to show the server value', () => doc.getText() === 'written while we were away' || undefined, 30_000);
      assert.equal(doc.isDirty, false);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });
  });

  describe('a paused server (SIGSTOP)', () => {
    afterEach(() => {
      try {
        server.resume();
      } catch {
        // not paused
      }
    });

    it('a scripted rename says the server did not answer and may still be applied (it is, once resumed); an edit whose read timed out wrote nothing', async () => {
      const a = server.admin();
      await a.hset('flt:p', 'a', '1', 'b', '2');
      // the connection is open before the pause
      await run('editField', { connection: CONN, key: 'flt:p', field: 'b', value: '3' });
      server.pause();
      const rename = await rejectionOf('redisHashExplorer.renameField', { connection: CONN, key: 'flt:p', field: 'a', newName: 'z' });
      ours(rename, new RegExp(`server 127\\.0\\.0\\.1:${server.port} did not answer in time; the rename may still be applied \\(it could not be checked\\)\\.`));
      // editField reads the field first: that read timed out, so its write was never sent
      ours(await rejectionOf('redisHashExplorer.editField', { connection: CONN, key: 'flt:p', field: 'b', value: '4' }), /did not answer in time; nothing was changed\./);
      server.resume();
      assert.deepEqual(await a.hgetall('flt:p'), { z: '1', b: '3' });
    });
    it("the editor's rename and edit whose answers came late are checked: applied ones succeed", async () => {
      const a = server.admin();
      await a.hset('flt:e', 'a', '1', 'b', '2');
      const editor = await h.editors.open({ connection: CONN, db: 0, key: 'flt:e' });
      try {
        await editor.loaded();
        const rowA = await rowNamed(editor, 'a');
        const rowB = await rowNamed(editor, 'b');
        const gen = editor.status().gen;
        server.pause();
        // resumed after the writes' answers timed out (600 ms), while the check (queued behind them) waits
        setTimeout(() => server.resume(), 850);
        const renamed = editor.request('rename', { gen, id: rowA.id, newName: { text: 'z', utf8: true } });
        const edited = editor.request('edit', { gen, id: rowB.id, value: { text: '3', utf8: true } });
        assert.deepEqual(await renamed, { status: 'ok' });
        assert.deepEqual(await edited, { status: 'ok' });
        assert.deepEqual(await a.hgetall('flt:e'), { z: '1', b: '3' });
      } finally {
        editor.panel.dispose();
      }
    });
  });

  describe('writes held by CLIENT PAUSE WRITE', () => {
    it('a scripted edit (compare-and-set) says the change may still be applied, and it is once the pause ends', async () => {
      const a = server.admin();
      await a.hset('flt:w', 'f', 'old');
      await a.call('CLIENT', 'PAUSE', '30000', 'WRITE');
      try {
        const edit = await rejectionOf('redisHashExplorer.editField', { connection: CONN, key: 'flt:w', field: 'f', value: 'new' });
        ours(edit, /did not answer in time; the change may still be applied \(it could not be checked\)\./);
        assert.equal(await a.hget('flt:w', 'f'), 'old', 'held, not yet applied');
      } finally {
        await a.call('CLIENT', 'UNPAUSE');
      }
      await waitFor('the held write to run', async () => (await a.hget('flt:w', 'f')) === 'new');
    });
  });
});

// Where connections are stored (user and workspace settings, shown together) and testing a connection
// while saving it, through scripted calls and the form (prompts answered through the test hook).
// Database 9, connections named "conn-…"; the workspace list is removed after the suite.
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { PromptLayer } from '../../../src/commands/prompts';
import type { TreeNode } from '../../../src/tree/nodes';
import type { ProfileSetting, TestHooks } from './sidebarSupport';
import { closeClients, connectionNode, hooks, inputsAndPicks, itemOf, keysUnder, profile, redis, redisPort, rejectionOf, setConnections, waitFor, withPrompts } from './sidebarSupport';

const DB = 9;
const USER = 'conn-user';
const PASSWORD = 'Conn-pass-91c2';
const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));

function inspected(): { user: ProfileSetting[] | undefined; workspace: ProfileSetting[] | undefined } {
  const i = vscode.workspace.getConfiguration('redisHashExplorer').inspect<ProfileSetting[]>('connections');
  return { user: i?.globalValue, workspace: i?.workspaceValue };
}

function userNamed(name: string): ProfileSetting | undefined {
  return inspected().user?.find((p) => p.name === name);
}

function workspaceNamed(name: string): ProfileSetting | undefined {
  return inspected().workspace?.find((p) => p.name === name);
}

async function setWorkspaceConnections(profiles: ProfileSetting[] | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('redisHashExplorer').update('connections', profiles, vscode.ConfigurationTarget.Workspace);
}

async function rootNames(h: TestHooks): Promise<string[]> {
  return (await h.tree.getChildren()).filter((n) => n.kind === 'connection').map((n) => (n.kind === 'connection' ? n.name : ''));
}

async function rootMessages(h: TestHooks): Promise<string[]> {
  // the whole text (a row shows its first words; the tooltip and the view's message have all of it)
  return (await h.tree.getChildren()).filter((n) => n.kind === 'message').map((n) => tooltipOf(h, n));
}

function tooltipOf(h: TestHooks, node: TreeNode): string {
  const t = itemOf(h.tree, node).tooltip;
  return typeof t === 'string' ? t : '';
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
    });
  });
}

/** Answers the form: `inputs` by prompt text, `picks` by label, in order; records every question asked and message shown. */
function formAnswers(picks: string[], inputs: Array<[RegExp, string]>, asks: Array<string | undefined> = []) {
  const seen = { asked: [] as string[], informed: [] as string[], progress: [] as string[] };
  const answers: Partial<PromptLayer> = {
    ...inputsAndPicks(picks, inputs),
    ask: async <T extends string>(message: string): Promise<T | undefined> => {
      seen.asked.push(message);
      return asks.shift() as T | undefined;
    },
    inform: (message: string) => void seen.informed.push(message),
  };
  return { answers, seen };
}

describe('Connections: where they are stored, tested while saving', function () {
  this.timeout(60_000);
  let h: TestHooks;
  let r: Redis;

  before(async () => {
    h = await hooks();
    r = redis(DB);
    await r.flushdb();
    await r.hset('conn:h', 'a', '1');
    await r.call('ACL', 'SETUSER', 'conn-acl', 'on', `>${PASSWORD}`, '~*', '&*', '+@all');
  });

  afterEach(async () => {
    await setWorkspaceConnections(undefined);
    await setConnections('conn-', []);
  });

  after(async () => {
    await r.call('ACL', 'DELUSER', 'conn-acl');
    await r.flushdb();
    closeClients();
  });

  describe('user and workspace settings', () => {
    it('shows connections from both together, each saying where it is stored', async () => {
      await setConnections('conn-', [profile(USER, DB)]);
      await setWorkspaceConnections([profile('conn-ws', DB)]);
      await waitFor('both connections', async () => ['conn-ws', USER].every((n) => h.tree.connectionNode(n)));
      const names = await rootNames(h);
      assert.ok(names.includes(USER) && names.includes('conn-ws'), `shown: ${names.join(', ')}`);
      const ws = await connectionNode(h.tree, 'conn-ws');
      const user = await connectionNode(h.tree, USER);
      assert.match(String(itemOf(h.tree, ws).description), / · workspace$/);
      assert.doesNotMatch(String(itemOf(h.tree, user).description), /workspace/);
      assert.match(tooltipOf(h, ws), /\nstored in workspace settings$/);
      assert.match(tooltipOf(h, user), /\nstored in user settings$/);
      assert.deepEqual((await keysUnder(h.tree, user)).sort(), ['conn:h'], 'the user connection works');
    });

    it('a scripted addConnection while the workspace defines connections: stored in user settings and shown', async () => {
      await setWorkspaceConnections([profile('conn-ws', DB)]);
      await run('addConnection', { connection: 'conn-added', host: '127.0.0.1', port: redisPort(), db: DB });
      assert.deepEqual(userNamed('conn-added'), { name: 'conn-added', host: '127.0.0.1', port: redisPort(), db: DB });
      assert.equal(workspaceNamed('conn-added'), undefined);
      await connectionNode(h.tree, 'conn-added');
      assert.ok(h.tree.connectionNode('conn-ws'), 'the workspace one is still shown');
    });

    it('a scripted addConnection with target "workspace" stores it in workspace settings', async () => {
      await run('addConnection', { connection: 'conn-wsadd', host: '127.0.0.1', port: redisPort(), db: DB, target: 'workspace' });
      assert.deepEqual(workspaceNamed('conn-wsadd'), { name: 'conn-wsadd', host: '127.0.0.1', port: redisPort(), db: DB });
      assert.equal(userNamed('conn-wsadd'), undefined);
      assert.match(String(itemOf(h.tree, await connectionNode(h.tree, 'conn-wsadd')).description), /workspace$/);
      assert.match(await rejectionOf('redisHashExplorer.addConnection', { connection: 'conn-bad', target: 'elsewhere', test: false }), /^"target" must be "user" or "workspace"\.$/);
      assert.match(await rejectionOf('redisHashExplorer.addConnection', { connection: 'conn-bad', test: 'no' }), /^"test" must be true or false\.$/);
      assert.equal(userNamed('conn-bad') ?? workspaceNamed('conn-bad'), undefined);
    });

    it('removing the last workspace connection removes the list and hides no user connection', async () => {
      await setConnections('conn-', [profile(USER, DB)]);
      await setWorkspaceConnections([profile('conn-ws', DB)]);
      await connectionNode(h.tree, 'conn-ws');
      await run('removeConnection', { connection: 'conn-ws' });
      assert.equal(inspected().workspace, undefined, 'no empty list is left in workspace settings');
      await waitFor('conn-ws gone', () => !h.tree.connectionNode('conn-ws'));
      assert.ok((await rootNames(h)).includes(USER), 'the user connection is shown');
      assert.ok(userNamed(USER));
    });

    it('a name in both: the workspace one is shown with a problem saying so; removing it shows the user one, password kept', async () => {
      await run('addConnection', { connection: 'conn-dup', host: '127.0.0.1', port: redisPort(), db: DB, username: 'conn-acl', password: PASSWORD });
      await setWorkspaceConnections([profile('conn-dup', DB, { readOnly: true })]);
      const ws = await waitFor('the workspace conn-dup', () => {
        const n = h.tree.connectionNode('conn-dup');
        return n?.readOnly ? n : undefined;
      });
      assert.deepEqual(await rootMessages(h), ['Connection "conn-dup" is in both workspace and user settings: the workspace one is shown. Rename or remove one of them.']);
      assert.match(tooltipOf(h, ws), /stored in workspace settings\na connection of the same name in user settings is not shown/);
      let question = '';
      let detail = '';
      await withPrompts(h, { ask: async (m: string, d?: string) => ((question = m), (detail = d ?? ''), 'Remove' as never) }, () => run('removeConnection', ws));
      assert.equal(question, 'Remove the connection "conn-dup"?');
      assert.match(detail, /removed from workspace settings\. The connection of the same name in user settings stays/);
      const user = await waitFor('the user conn-dup', () => {
        const n = h.tree.connectionNode('conn-dup');
        return n && !n.readOnly ? n : undefined;
      });
      assert.deepEqual(await rootMessages(h), []);
      assert.deepEqual(await keysUnder(h.tree, user), ['conn:h'], 'it still connects with its stored password');
    });

    it('a scripted editConnection with target moves a connection between user and workspace settings', async () => {
      await run('addConnection', { connection: 'conn-move', host: '127.0.0.1', port: redisPort(), db: DB, username: 'conn-acl', password: PASSWORD });
      await run('editConnection', { connection: 'conn-move', target: 'workspace' });
      assert.deepEqual(workspaceNamed('conn-move'), { name: 'conn-move', host: '127.0.0.1', port: redisPort(), db: DB, username: 'conn-acl' });
      assert.equal(userNamed('conn-move'), undefined);
      const node = await waitFor('conn-move in the workspace', async () => {
        const n = await connectionNode(h.tree, 'conn-move');
        return /workspace$/.test(String(itemOf(h.tree, n).description)) ? n : undefined;
      });
      assert.deepEqual(await keysUnder(h.tree, node), ['conn:h'], 'its password came along');
    });

    it('keeps an empty key separator (a flat list) when saving', async () => {
      await run('addConnection', { connection: 'conn-flat', host: '127.0.0.1', port: redisPort(), db: DB, separator: '' });
      assert.deepEqual(userNamed('conn-flat'), { name: 'conn-flat', host: '127.0.0.1', port: redisPort(), db: DB, separator: '' });
    });
  });

  describe('testing while saving', () => {
    it('a scripted addConnection to a closed port rejects and saves nothing; test: false saves it', async () => {
      const port = await closedPort();
      const message = await rejectionOf('redisHashExplorer.addConnection', { connection: 'conn-dead', host: '127.0.0.1', port });
      assert.match(message, new RegExp(`^Connection "conn-dead" was not saved: Connection refused \\(127\\.0\\.0\\.1:${port}\\)`));
      assert.equal(userNamed('conn-dead'), undefined);
      await run('addConnection', { connection: 'conn-dead', host: '127.0.0.1', port, test: false });
      assert.deepEqual(userNamed('conn-dead'), { name: 'conn-dead', host: '127.0.0.1', port });
    });

    it('a scripted addConnection with a wrong password rejects without the password and saves nothing', async () => {
      const message = await rejectionOf('redisHashExplorer.addConnection', { connection: 'conn-wrong', host: '127.0.0.1', port: redisPort(), username: 'conn-acl', password: 'not-it-5521' });
      assert.match(message, /^Connection "conn-wrong" was not saved: Authentication failed/);
      assert.doesNotMatch(message, /not-it-5521/);
      assert.equal(userNamed('conn-wrong'), undefined);
      // No password was kept for the name: added again without one, it fails to authenticate.
      const again = await rejectionOf('redisHashExplorer.addConnection', { connection: 'conn-wrong', host: '127.0.0.1', port: redisPort(), username: 'conn-acl' });
      assert.match(again, /Authentication failed/);
    });

    it('a scripted editConnection with test: true rejects a broken change and keeps the profile', async () => {
      await setConnections('conn-', [profile(USER, DB)]);
      const port = await closedPort();
      assert.match(await rejectionOf('redisHashExplorer.editConnection', { connection: USER, port, test: true }), /^Connection "conn-user" was not saved: Connection refused/);
      assert.equal(userNamed(USER)?.port, redisPort());
    });

    it('the form: Save tests it, says so, stores where chosen and reveals it in the tree', async () => {
      const { answers, seen } = formAnswers(['Stored in', '$(check) Save'], [
        [/URL, or enter host:port/, `127.0.0.1:${redisPort()}`],
        [/Connection name/, 'conn-form'],
      ]);
      await withPrompts(h, answers, () => run('addConnection'));
      assert.deepEqual(workspaceNamed('conn-form'), { name: 'conn-form', host: '127.0.0.1', port: redisPort() });
      assert.equal(userNamed('conn-form'), undefined);
      assert.deepEqual(seen.asked, []);
      assert.equal(seen.informed.length, 1);
      assert.match(seen.informed[0], /^Connected to "conn-form" \(Redis \d+\.\d+\.\d+\) and saved it in workspace settings\.$/);
      await waitFor('conn-form selected in the view', () => h.treeView.selection.some((n) => n.kind === 'connection' && n.name === 'conn-form'));
    });

    it('the form: a failed test offers Edit; the corrected connection is tested again and saved', async () => {
      const dead = await closedPort();
      const { answers, seen } = formAnswers(['$(check) Save', 'Address', '$(check) Save'], [
        [/URL, or enter host:port/, `127.0.0.1:${dead}`],
        [/Connection name/, 'conn-fix'],
        [/host:port, or a redis:\/\/ URL/, `127.0.0.1:${redisPort()}`],
      ], ['Edit']);
      await withPrompts(h, answers, () => run('addConnection'));
      assert.equal(seen.asked.length, 1);
      assert.ok(seen.asked[0].startsWith(`Cannot connect with "conn-fix": Connection refused (127.0.0.1:${dead})`), seen.asked[0]);
      assert.deepEqual(userNamed('conn-fix'), { name: 'conn-fix', host: '127.0.0.1', port: redisPort() });
      assert.match(seen.informed[0] ?? '', /^Connected to "conn-fix"/);
    });

    it('the form: a failed test and "Save anyway" saves it as it is; dismissing saves nothing', async () => {
      const dead = await closedPort();
      const first = formAnswers(['$(check) Save'], [
        [/URL, or enter host:port/, `127.0.0.1:${dead}`],
        [/Connection name/, 'conn-anyway'],
      ], ['Save anyway']);
      await withPrompts(h, first.answers, () => run('addConnection'));
      assert.deepEqual(userNamed('conn-anyway'), { name: 'conn-anyway', host: '127.0.0.1', port: dead });
      assert.deepEqual(first.seen.informed, ['Saved "conn-anyway" in user settings without a working connection.']);

      const second = formAnswers(['$(check) Save'], [
        [/URL, or enter host:port/, `127.0.0.1:${dead}`],
        [/Connection name/, 'conn-dismissed'],
      ], [undefined]);
      await withPrompts(h, second.answers, () => run('addConnection'));
      assert.equal(second.seen.asked.length, 1);
      assert.equal(userNamed('conn-dismissed') ?? workspaceNamed('conn-dismissed'), undefined);
    });

    it('the form: Cancel during the test (a server that never answers) asks, and saves nothing when dismissed', async () => {
      const sockets: Socket[] = [];
      let cancel: (() => void) | undefined;
      const silent: Server = createServer((s) => {
        sockets.push(s);
        cancel?.();
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as { port: number }).port;
        const { answers, seen } = formAnswers(['$(check) Save'], [
          [/URL, or enter host:port/, `127.0.0.1:${port}`],
          [/Connection name/, 'conn-silent'],
        ], [undefined]);
        answers.progress = async <T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> => {
          seen.progress.push(title);
          const controller = new AbortController();
          cancel = () => controller.abort();
          return task(controller.signal);
        };
        await withPrompts(h, answers, () => run('addConnection'));
        assert.deepEqual(seen.progress, [`Testing connection "conn-silent" (127.0.0.1:${port})…`]);
        assert.deepEqual(seen.asked, ['The test of "conn-silent" was cancelled.']);
        assert.equal(sockets.length, 1, 'the test reached the server');
        assert.equal(userNamed('conn-silent') ?? workspaceNamed('conn-silent'), undefined);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('the edit form tests the change too: a failed test, dismissed, leaves the profile as it was', async () => {
      await setConnections('conn-', [profile(USER, DB)]);
      const node = await connectionNode(h.tree, USER);
      const dead = await closedPort();
      const { answers, seen } = formAnswers(['Address', '$(check) Save'], [[/host:port, or a redis:\/\/ URL/, `127.0.0.1:${dead}`]], [undefined]);
      await withPrompts(h, answers, () => run('editConnection', node));
      assert.match(seen.asked[0] ?? '', /^Cannot connect with "conn-user": Connection refused/);
      assert.equal(userNamed(USER)?.port, redisPort());
    });
  });
});

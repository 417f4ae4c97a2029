// Smoke tests in the real extension host: the extension loads, activates and contributes its commands,
// and the host can reach the throwaway Redis that test/host/run.mjs started.
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import * as vscode from 'vscode';

const EXTENSION_ID = 'redis-hash-explorer.redis-hash-explorer';

interface ManifestCommand {
  command: string;
}
interface Manifest {
  name: string;
  publisher: string;
  contributes?: { commands?: ManifestCommand[] };
}

function getExtension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in the host`);
  return ext;
}

function testRedisPort(): number {
  const port = Number(process.env.RHE_TEST_REDIS_PORT);
  assert.ok(Number.isInteger(port) && port > 0, `RHE_TEST_REDIS_PORT is not set (got ${process.env.RHE_TEST_REDIS_PORT})`);
  return port;
}

describe('extension host smoke', () => {
  it('has the extension, with the manifest it was built from', () => {
    const manifest = getExtension().packageJSON as Manifest;
    assert.equal(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
  });

  it('activates', async () => {
    const ext = getExtension();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every command it contributes', async () => {
    const ext = getExtension();
    await ext.activate();
    const contributed = ((ext.packageJSON as Manifest).contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands contributed but not registered: ${missing.join(', ')}`);
  });

  it('runs in a Node extension host with a workspace folder', () => {
    assert.equal(typeof process.versions.node, 'string');
    assert.equal(vscode.workspace.workspaceFolders?.length, 1);
  });

  it('reaches the test Redis from inside the host', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: testRedisPort(), lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      assert.equal(await redis.ping(), 'PONG');
      await redis.hset('rhe:host:smoke', 'field', 'value');
      assert.equal(await redis.hget('rhe:host:smoke', 'field'), 'value');
      await redis.del('rhe:host:smoke');
    } finally {
      redis.disconnect();
    }
  });
});

import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort, serverBuild } from './redisServer';
import type { ServerKind } from './redisServer';

const run = promisify(execFile);

/** One server process of a local cluster or sentinel setup. */
export interface ServerProcess {
  port: number;
  child: ChildProcess;
  dir: string;
  /** SIGSTOP: the socket stays open and nothing answers (the worst kind of failure for a client) */
  pause(): void;
  readonly paused: boolean;
  resume(): void;
  stop(): Promise<void>;
}

export interface TestCluster {
  host: string;
  nodes: ServerProcess[];
  /** seeds as a profile takes them */
  seeds: Array<{ host: string; port: number }>;
  /** a plain client on one node (for CLUSTER commands) */
  admin(port: number): Redis;
  /** the port of the master that owns the slot */
  masterOf(slot: number): Promise<number>;
  /** ports of the current masters */
  masters(): Promise<number[]>;
  waitHealthy(): Promise<void>;
  /** until every master lists a replica for each of its slot ranges (CLUSTER SLOTS) */
  replicasListed(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts one server process in its own folder; resolves once it accepts connections. */
export async function startProcess(args: (port: number, dir: string) => string[], kind: ServerKind = 'redis7', ready = /Ready to accept connections/i): Promise<ServerProcess> {
  const bin = serverBuild(kind).bin;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rhe-node-'));
    const child = spawn(bin, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    if (await waitFor(child, ready)) return processOf(port, child, dir);
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`could not start ${bin}`);
}

function processOf(port: number, child: ChildProcess, dir: string): ServerProcess {
  let paused = false;
  return {
    port,
    child,
    dir,
    get paused() {
      return paused;
    },
    pause: () => {
      paused = true;
      child.kill('SIGSTOP');
    },
    resume: () => {
      paused = false;
      child.kill('SIGCONT');
    },
    stop: async () => {
      if (paused) child.kill('SIGCONT');
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The arguments of one cluster node's redis-server. */
export function clusterNodeArgs(port: number, dir: string): string[] {
  return [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no',
    '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '3000',
    // a replica may be promoted however long its master was gone (tests stop masters on purpose)
    '--cluster-replica-validity-factor', '0',
  ];
}

/**
 * Six redis-server processes with cluster-enabled yes, made a cluster of three masters and three replicas
 * with `redis-cli --cluster create`; resolves when every node says cluster_state:ok. `replicas: 0`: three masters only.
 */
export async function startCluster(kind: ServerKind = 'redis7', options: { replicas?: number } = {}): Promise<TestCluster> {
  const replicas = options.replicas ?? 1;
  const nodes = await Promise.all(Array.from({ length: 3 * (1 + replicas) }, () => startProcess(clusterNodeArgs, kind)));
  const host = '127.0.0.1';
  await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `${host}:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 60000 });
  const admins = new Map<number, Redis>();
  const admin = (port: number): Redis => {
    let c = admins.get(port);
    if (!c) {
      admins.set(port, (c = new Redis({ host, port, maxRetriesPerRequest: 1, lazyConnect: false })));
      c.on('error', () => undefined);
    }
    return c;
  };
  const masters = async (): Promise<number[]> => {
    const out: number[] = [];
    for (const n of nodes) {
      if (n.paused || n.child.signalCode !== null || n.child.exitCode !== null) continue;
      try {
        const role = (await withTimeout(admin(n.port).call('ROLE'), 1000)) as unknown[];
        if (role[0] === 'master') out.push(n.port);
      } catch {
        // paused or gone
      }
    }
    return out;
  };
  const cluster: TestCluster = {
    host,
    nodes,
    seeds: nodes.slice(0, 3).map((n) => ({ host, port: n.port })),
    admin,
    masters,
    async masterOf(slot: number) {
      for (const port of await masters()) {
        const shards = (await admin(port).call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
        for (const [from, to, [, p]] of shards) if (slot >= from && slot <= to) return p;
      }
      throw new Error(`no master owns slot ${slot}`);
    },
    async waitHealthy() {
      // Every live node: cluster_state:ok and three masters with slots (a failover may still be settling).
      for (let i = 0; i < 300; i++) {
        let ok = true;
        for (const n of nodes) {
          if (n.paused) continue;
          try {
            const info = await withTimeout(admin(n.port).cluster('INFO'), 1000);
            if (!/cluster_state:ok/.test(String(info))) ok = false;
          } catch {
            ok = false;
          }
        }
        if (ok) return;
        await sleep(100);
      }
      throw new Error('the cluster did not become healthy');
    },
    async replicasListed() {
      // CLUSTER SLOTS shows a replica only once the other nodes heard of its replication offset: a while after
      // the cluster was made or the replica came back
      for (let i = 0; i < 300; i++) {
        let listed = true;
        for (const port of await masters()) if (((await admin(port).call('CLUSTER', 'SLOTS')) as unknown[][]).some((r) => r.length < 4)) listed = false;
        if (listed) return;
        await sleep(100);
      }
      throw new Error('the replicas are not listed');
    },
    async stop() {
      for (const c of admins.values()) c.disconnect();
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  await cluster.waitHealthy();
  // Replicas must know their masters' data before a test stops one.
  if (replicas > 0) for (const port of await masters()) await admin(port).call('WAIT', '1', '5000');
  return cluster;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}

export function waitFor(child: ChildProcess, ready: RegExp, ms = 15000): Promise<boolean> {
  return new Promise((resolve) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) done(true);
      if (/Address already in use|FATAL|Fatal/i.test(out)) done(false);
    };
    const timer = setTimeout(() => done(false), ms);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      // keep draining: a full pipe would block the server
      child.stdout?.resume();
      child.stderr?.resume();
      resolve(ok);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', () => done(false));
    child.on('exit', () => done(false));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { sleep, startProcess } from './cluster';
import type { ServerProcess } from './cluster';
import type { ServerKind } from './redisServer';

export const MASTER_NAME = 'rhe-master';

export interface TestSentinel {
  host: string;
  masterName: string;
  /** the two data servers (master and replica at start; roles change on failover) */
  servers: ServerProcess[];
  sentinels: ServerProcess[];
  /** as a profile takes them */
  sentinelAddresses: Array<{ host: string; port: number }>;
  /** the port of the current master, as the sentinels say */
  masterPort(): Promise<number>;
  /** a plain client on one server */
  admin(port: number): Redis;
  /** SENTINEL FAILOVER, then waits until both servers agree on the new roles */
  failover(): Promise<number>;
  stop(): Promise<void>;
}

/** A master, one replica and three sentinels (quorum 2), all on loopback. */
export async function startSentinel(kind: ServerKind = 'redis7'): Promise<TestSentinel> {
  const host = '127.0.0.1';
  const base = (port: number, dir: string) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  const master = await startProcess(base, kind);
  const replica = await startProcess((port, dir) => [...base(port, dir), '--replicaof', host, String(master.port)], kind);
  const sentinels = await Promise.all(
    [0, 1, 2].map(() =>
      startProcess(
        (port, dir) => {
          const conf = join(dir, 'sentinel.conf');
          writeFileSync(
            conf,
            [
              `port ${port}`,
              'bind 127.0.0.1',
              `dir ${dir}`,
              `sentinel monitor ${MASTER_NAME} ${host} ${master.port} 2`,
              `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
              `sentinel failover-timeout ${MASTER_NAME} 10000`,
              `sentinel parallel-syncs ${MASTER_NAME} 1`,
            ].join('\n') + '\n',
          );
          return [conf, '--sentinel'];
        },
        kind,
        /Sentinel ID is|monitor master/i,
      ),
    ),
  );
  const admins = new Map<number, Redis>();
  const admin = (port: number): Redis => {
    let c = admins.get(port);
    if (!c) {
      admins.set(port, (c = new Redis({ host, port, maxRetriesPerRequest: 1, lazyConnect: false })));
      c.on('error', () => undefined);
    }
    return c;
  };
  const servers = [master, replica];
  const masterPort = async (): Promise<number> => {
    for (const s of sentinels) {
      try {
        const reply = (await admin(s.port).call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[] | null;
        if (reply) return Number(reply[1]);
      } catch {
        // that sentinel is down
      }
    }
    throw new Error('no sentinel knows the master');
  };
  // Ready when the replica is in sync and every sentinel sees the replica and the other sentinels.
  for (let i = 0; ; i++) {
    const info = await admin(replica.port).info('replication');
    let seen = /master_link_status:up/.test(info);
    for (const s of sentinels) {
      const m = (await admin(s.port).call('SENTINEL', 'MASTER', MASTER_NAME)) as string[];
      const field = (k: string) => Number(m[m.indexOf(k) + 1]);
      if (field('num-slaves') < 1 || field('num-other-sentinels') < 2) seen = false;
    }
    if (seen) break;
    if (i > 300) throw new Error('the sentinel setup did not settle');
    await sleep(100);
  }
  return {
    host,
    masterName: MASTER_NAME,
    servers,
    sentinels,
    sentinelAddresses: sentinels.map((s) => ({ host, port: s.port })),
    masterPort,
    admin,
    async failover() {
      const before = await masterPort();
      await admin(sentinels[0].port).call('SENTINEL', 'FAILOVER', MASTER_NAME);
      for (let i = 0; i < 600; i++) {
        await sleep(100);
        const now = await masterPort().catch(() => before);
        if (now === before) continue;
        const newRole = (await admin(now).call('ROLE')) as unknown[];
        const old = (await admin(before).call('ROLE').catch(() => [])) as unknown[];
        const info = await admin(before).info('replication').catch(() => '');
        if (newRole[0] === 'master' && old[0] === 'slave' && /master_link_status:up/.test(info)) return now;
      }
      throw new Error('the failover did not complete');
    },
    async stop() {
      for (const c of admins.values()) c.disconnect();
      await Promise.all([...sentinels, ...servers].map((s) => s.stop()));
    },
  };
}

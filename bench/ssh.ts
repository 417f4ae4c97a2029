import { RedisConnection } from '../src/core/connection';
import { HashSession } from '../src/core/hashSession';
import { startRedis } from '../test/support/redisServer';
import { startSshd } from '../test/support/sshd';
import type { Figure } from './report';
import { alternate, figure, median, now, progress } from './report';
import { SHAPES, seedBigHash } from './seed';

/*
 * The SSH figures (--only=ssh): on a redis-server of its own holding the 1,000,000-field hash and a real
 * OpenSSH sshd on loopback (test/support/sshd.ts). Both sides are the editor's path (HashSession): one
 * connection through an SSH tunnel (a profile with `ssh`), one direct to the same server, alternating.
 * On loopback the figure is what the tunnel itself costs: encryption in sshd and in ssh2, two more hops.
 */

export const SSH_FIGURES = [
  { name: 'ssh: whole 1,000,000-field hash through an SSH tunnel vs direct (editor path)', unit: 'ms', target: '<= 1.5' },
  { name: 'ssh: first page of the 1,000,000-field hash through an SSH tunnel vs direct (editor path)', unit: 'ms', target: '<= 2' },
];

const quiet = { status: () => undefined, invalidate: () => undefined };

function session(conn: RedisConnection): HashSession {
  return new HashSession({ connection: 'bench', db: SHAPES.keyspaceDb, key: Buffer.from(SHAPES.bigHash) }, async () => conn, quiet);
}

async function whole(conn: RedisConnection): Promise<number> {
  const t0 = now();
  const s = session(conn);
  await s.start();
  await s.loaded();
  const ms = now() - t0;
  if (s.load !== 'done' || s.store.size !== SHAPES.bigHashFields) throw new Error(`loaded ${s.store.size} fields (${s.load}): ${s.message ?? ''}`);
  s.dispose();
  return ms;
}

async function firstPage(conn: RedisConnection): Promise<number> {
  const t0 = now();
  const s = session(conn);
  await s.start();
  if (s.store.size === 0) throw new Error('no row loaded');
  const ms = now() - t0;
  s.dispose();
  await s.loaded();
  // A page asked ahead must not land in the next timed run.
  await conn.client.ping();
  return ms;
}

export async function sshFigures(runs: { first: number; whole: number }): Promise<Figure[]> {
  progress('ssh: starting redis-server and sshd');
  const [server, sshd] = await Promise.all([startRedis(), startSshd()]);
  let direct: RedisConnection | undefined;
  let tunneled: RedisConnection | undefined;
  try {
    progress(`ssh: seeding the ${SHAPES.bigHashFields.toLocaleString('en-US')}-field hash`);
    await seedBigHash(server.port);
    const base = { name: 'bench', host: '127.0.0.1', port: server.port, db: SHAPES.keyspaceDb };
    direct = await RedisConnection.open(base, { commandTimeoutMs: 120_000 });
    const ssh = { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.keys.plain, hostKey: sshd.fingerprint };
    tunneled = await RedisConnection.open({ ...base, ssh }, { commandTimeoutMs: 120_000 });
    const [d, t] = [direct, tunneled];
    progress(`ssh: whole hash, ${runs.whole} runs each`);
    await whole(t);
    await whole(d);
    const w = await alternate(runs.whole, () => whole(t), () => whole(d));
    progress(`ssh: first page, ${runs.first} runs each`);
    for (let i = 0; i < 3; i++) {
      await firstPage(t);
      await firstPage(d);
    }
    const f = await alternate(runs.first, () => firstPage(t), () => firstPage(d), false);
    return [
      figure(SSH_FIGURES[0].name, median(w.ours), median(w.baseline), 'ms', SSH_FIGURES[0].target),
      figure(SSH_FIGURES[1].name, median(f.ours), median(f.baseline), 'ms', SSH_FIGURES[1].target),
    ];
  } finally {
    await tunneled?.close();
    await direct?.close();
    await sshd.stop();
    await server.stop();
  }
}

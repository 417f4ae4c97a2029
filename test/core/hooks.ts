import Redis from 'ioredis';
import { RedisConnection } from '../../src/core/connection';
import type { ConnectionProfile } from '../../src/core/profile';
import { describeServer, startRedis } from '../support/redisServer';
import type { ServerBuild, TestRedis } from '../support/redisServer';

/* One server for the whole core suite (env RHE_SERVER: redis7, valkey8 or redis8), started before and stopped after it. */
let server: TestRedis | undefined;
const open: RedisConnection[] = [];
let adminClient: Redis | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(30000);
    server = await startRedis();
    console.log(`core tests on ${describeServer(server.server)}`);
  },
  async afterAll() {
    await Promise.all(open.splice(0).map((c) => c.close()));
    adminClient?.disconnect();
    await server?.stop();
  },
};

export function redisPort(): number {
  if (!server) throw new Error('test redis not started');
  return server.port;
}

/** Which server the suite runs on, and what it can do (from the binary, not from the code under test). */
export function testServer(): ServerBuild {
  if (!server) throw new Error('test redis not started');
  return server.server;
}

export function profile(extra: Partial<ConnectionProfile> = {}): ConnectionProfile {
  return { name: 'test', host: '127.0.0.1', port: redisPort(), ...extra };
}

/** A connection closed after the suite. */
export async function connect(extra: Partial<ConnectionProfile> = {}, password?: string, db?: number): Promise<RedisConnection> {
  const conn = await RedisConnection.open(profile(extra), { password, db });
  open.push(conn);
  return conn;
}

/** A plain ioredis client to set up data and check results independently of the code under test. */
export function admin(): Redis {
  adminClient ??= new Redis({ host: '127.0.0.1', port: redisPort(), lazyConnect: false });
  return adminClient;
}

/** Per-command call counts from INFO commandstats, e.g. { hscan: 3 }. */
export async function commandCounts(): Promise<Record<string, number>> {
  const text = await admin().info('commandstats');
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

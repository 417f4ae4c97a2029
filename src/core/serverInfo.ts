import type { RedisConnection } from './connection';
import { parseInfo } from './infoText';

type ServerMode = 'standalone' | 'cluster' | 'sentinel';

export interface ServerInfo {
  /** what the server says it is: Valkey reports a Redis-compatible redis_version beside its own */
  product: 'Redis' | 'Valkey';
  version: string;
  mode: ServerMode;
  /** keys per database, from INFO keyspace */
  keyspace: Map<number, number>;
  /** number of databases the server has (CONFIG GET databases; 16 when CONFIG is not allowed) */
  databases: number;
  capabilities: {
    /** SCAN ... TYPE (6.0+) */
    scanType: boolean;
    /** UNLINK (4.0+) */
    unlink: boolean;
    /** HEXPIRE / HTTL: field TTLs (Redis 7.4+, Valkey 9) */
    fieldTtl: boolean;
    /** HSETEX: set fields with a TTL in one command (Redis 8) */
    hsetex: boolean;
    /** HSCAN ... NOVALUES: names only (Redis 7.4+) */
    hscanNoValues: boolean;
  };
}

export function versionAtLeast(version: string, major: number, minor = 0): boolean {
  const [a, b] = version.split('.').map((n) => Number(n) || 0);
  return a > major || (a === major && b >= minor);
}

export async function getServerInfo(conn: RedisConnection): Promise<ServerInfo> {
  // In a cluster every master has its share of the keys: INFO keyspace is read on each and added up.
  const [server, keyspaceTexts] = await Promise.all([conn.run((c) => c.info('server')), conn.forEachNode((n) => n.info('keyspace'))]);
  const info = parseInfo(server);
  const valkey = info.get('server_name') === 'valkey' || info.has('valkey_version');
  const version = (valkey ? info.get('valkey_version') : undefined) ?? info.get('redis_version') ?? '0.0.0';
  const modeText = info.get('redis_mode') ?? info.get('server_mode') ?? 'standalone';
  const mode: ServerMode = modeText === 'cluster' || modeText === 'sentinel' ? modeText : 'standalone';
  const keyspace = new Map<number, number>();
  for (const keyspaceText of keyspaceTexts) {
    for (const [k, v] of parseInfo(keyspaceText)) {
      const m = /^db(\d+)$/.exec(k);
      const keys = /keys=(\d+)/.exec(v);
      if (m && keys) keyspace.set(Number(m[1]), (keyspace.get(Number(m[1])) ?? 0) + Number(keys[1]));
    }
  }
  let databases = 16;
  if (conn.isCluster) databases = 1;
  else {
    try {
      const reply = (await conn.run((c) => c.config('GET', 'databases'))) as unknown as string[];
      if (Array.isArray(reply) && reply[1]) databases = Number(reply[1]) || 16;
    } catch {
      // CONFIG is often disabled on managed Redis; 16 is the server default.
    }
  }
  // Valkey's redis_version stays 7.2.4 whatever it has, so features are read from the command table.
  const commands = await commandsPresent(conn, ['hexpire', 'hsetex']);
  const redisVersion = info.get('redis_version') ?? version;
  const result: ServerInfo = {
    product: valkey ? 'Valkey' : 'Redis',
    version,
    mode,
    keyspace,
    databases,
    capabilities: {
      scanType: versionAtLeast(redisVersion, 6),
      unlink: versionAtLeast(redisVersion, 4),
      fieldTtl: commands?.hexpire ?? (!valkey && versionAtLeast(version, 7, 4)),
      hsetex: commands?.hsetex ?? (!valkey && versionAtLeast(version, 8)),
      hscanNoValues: await hscanTakesNoValues(conn),
    },
  };
  known.set(conn, result.capabilities);
  return result;
}

const known = new WeakMap<RedisConnection, ServerInfo['capabilities']>();

/** What the last getServerInfo on this connection found; undefined before it ran (callers then stay safe). */
export function knownCapabilities(conn: RedisConnection): ServerInfo['capabilities'] | undefined {
  return known.get(conn);
}

/** "Redis 8.0.2", "Valkey 8.0.1": what a user reads in tooltips and messages. */
export function describeServer(info: Pick<ServerInfo, 'product' | 'version'>): string {
  return `${info.product} ${info.version}`;
}

/** The message for a server without field TTLs (the feature is hidden; a scripted call gets this). */
export function fieldTtlUnsupported(info: Pick<ServerInfo, 'product' | 'version'> | undefined): string {
  return `Field TTLs need Redis 7.4 or later (or Valkey 9); this server is ${info ? describeServer(info) : 'of unknown version'}. Nothing was changed.`;
}

/** Which of the named commands the server has (COMMAND INFO); undefined where COMMAND is refused. */
async function commandsPresent<N extends string>(conn: RedisConnection, names: N[]): Promise<Record<N, boolean> | undefined> {
  try {
    const reply = (await conn.run((c) => c.call('COMMAND', 'INFO', ...names))) as unknown;
    if (!Array.isArray(reply) || reply.length !== names.length) return undefined;
    return Object.fromEntries(names.map((n, i) => [n, Array.isArray(reply[i])])) as Record<N, boolean>;
  } catch {
    return undefined;
  }
}

/** HSCAN NOVALUES: named among HSCAN's arguments in COMMAND DOCS (7.0+; false where refused or older). */
async function hscanTakesNoValues(conn: RedisConnection): Promise<boolean> {
  try {
    const reply = (await conn.run((c) => c.call('COMMAND', 'DOCS', 'HSCAN'))) as unknown;
    return mentions(reply, 'NOVALUES');
  } catch {
    return false;
  }
}

function mentions(reply: unknown, word: string): boolean {
  if (typeof reply === 'string') return reply.toUpperCase() === word;
  return Array.isArray(reply) && reply.some((r) => mentions(r, word));
}

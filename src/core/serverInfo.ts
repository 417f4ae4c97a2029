import type { RedisConnection } from './connection';

export type ServerMode = 'standalone' | 'cluster' | 'sentinel';

export interface ServerInfo {
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
    /** HEXPIRE / HTTL: field TTLs (7.4+) */
    fieldTtl: boolean;
  };
}

export function parseInfo(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) map.set(line.slice(0, i), line.slice(i + 1));
  }
  return map;
}

export function versionAtLeast(version: string, major: number, minor = 0): boolean {
  const [a, b] = version.split('.').map((n) => Number(n) || 0);
  return a > major || (a === major && b >= minor);
}

export async function getServerInfo(conn: RedisConnection): Promise<ServerInfo> {
  const [server, keyspaceText] = await Promise.all([conn.run((c) => c.info('server')), conn.run((c) => c.info('keyspace'))]);
  const info = parseInfo(server);
  const version = info.get('redis_version') ?? info.get('valkey_version') ?? '0.0.0';
  const modeText = info.get('redis_mode') ?? 'standalone';
  const mode: ServerMode = modeText === 'cluster' || modeText === 'sentinel' ? modeText : 'standalone';
  const keyspace = new Map<number, number>();
  for (const [k, v] of parseInfo(keyspaceText)) {
    const m = /^db(\d+)$/.exec(k);
    const keys = /keys=(\d+)/.exec(v);
    if (m && keys) keyspace.set(Number(m[1]), Number(keys[1]));
  }
  let databases = 16;
  try {
    const reply = (await conn.client.config('GET', 'databases')) as unknown as string[];
    if (Array.isArray(reply) && reply[1]) databases = Number(reply[1]) || 16;
  } catch {
    // CONFIG is often disabled on managed Redis; 16 is the server default.
  }
  return {
    version,
    mode,
    keyspace,
    databases,
    capabilities: {
      scanType: versionAtLeast(version, 6),
      unlink: versionAtLeast(version, 4),
      fieldTtl: versionAtLeast(version, 7, 4),
    },
  };
}

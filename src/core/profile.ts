import { RedisExplorerError } from './errors';

export interface TlsOptions {
  caFile?: string;
  /** verify the server certificate; on unless set to false */
  verify?: boolean;
  servername?: string;
}

/** A connection as stored in settings: never a password. */
export interface ConnectionProfile {
  name: string;
  host: string;
  port: number;
  db?: number;
  username?: string;
  tls?: boolean | TlsOptions;
  readOnly?: boolean;
  separator?: string;
}

export interface ParsedUrl {
  profile: Omit<ConnectionProfile, 'name'>;
  password?: string;
}

/** Parses `redis://[user[:password]@]host[:port][/db]` and `rediss://` (TLS). */
export function parseRedisUrl(input: string): ParsedUrl {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new RedisExplorerError('INVALID', 'Not a valid URL. Expected redis://[user:password@]host[:port][/db] or rediss://…');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisExplorerError('INVALID', `Unsupported scheme "${url.protocol.replace(':', '')}": use redis:// or rediss://.`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = url.port ? Number(url.port) : 6379;
  const dbPart = url.pathname.replace(/^\//, '');
  let db: number | undefined;
  if (dbPart) {
    db = Number(dbPart);
    if (!Number.isInteger(db) || db < 0) throw new RedisExplorerError('INVALID', `Invalid database number "${dbPart}" in the URL.`);
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const profile: Omit<ConnectionProfile, 'name'> = { host, port };
  if (db !== undefined) profile.db = db;
  // redis://:password@host has no user name: the password is for the default user.
  if (username) profile.username = username;
  if (url.protocol === 'rediss:') profile.tls = true;
  return { profile, password };
}

/** Checks a profile read from settings; returns a message for the first problem, or undefined. */
export function validateProfile(p: Partial<ConnectionProfile>): string | undefined {
  if (!p.name || typeof p.name !== 'string' || !p.name.trim()) return 'A connection needs a name.';
  if (!p.host || typeof p.host !== 'string') return `Connection "${p.name}" needs a host.`;
  if (!Number.isInteger(p.port) || (p.port as number) < 1 || (p.port as number) > 65535) return `Connection "${p.name}" has an invalid port.`;
  if (p.db !== undefined && (!Number.isInteger(p.db) || p.db < 0)) return `Connection "${p.name}" has an invalid database number.`;
  return undefined;
}

export function describeProfile(p: ConnectionProfile): string {
  return `${p.tls ? 'rediss' : 'redis'}://${p.username ? p.username + '@' : ''}${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
}

export function separatorOf(p: ConnectionProfile, fallback: string): string {
  return p.separator ?? fallback;
}

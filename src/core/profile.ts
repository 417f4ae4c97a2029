import { RedisExplorerError } from './errors';
import { sshProblem, tlsFilesProblem } from './sshProfile';
import type { SshOptions } from './sshProfile';

export interface TlsOptions {
  caFile?: string;
  /** client certificate and its key (PEM), for servers that ask for one; the key's passphrase is a secret */
  certFile?: string;
  keyFile?: string;
  /** verify the server certificate; on unless set to false */
  verify?: boolean;
  servername?: string;
}

/** standalone: one server; cluster: Redis Cluster through seed nodes; sentinel: the master that sentinels name. */
export type ConnectionKind = 'standalone' | 'cluster' | 'sentinel';
export const CONNECTION_KINDS: readonly ConnectionKind[] = ['standalone', 'cluster', 'sentinel'];

export interface HostPort {
  host: string;
  port: number;
}

/** A connection as stored in settings: never a password. */
export interface ConnectionProfile {
  name: string;
  /** default standalone */
  kind?: ConnectionKind;
  /** the server; for a cluster the first seed node, for sentinel the first sentinel (filled from `nodes`/`sentinels`) */
  host: string;
  port: number;
  /** cluster: seed nodes (`host`/`port` alone is one seed) */
  nodes?: HostPort[];
  /** sentinel: the sentinels to ask for the master */
  sentinels?: HostPort[];
  /** sentinel: the name the sentinels monitor the master under */
  masterName?: string;
  db?: number;
  username?: string;
  tls?: boolean | TlsOptions;
  readOnly?: boolean;
  /** cluster: the tree's key scan and a hash's HSCAN pages read from the masters' replicas (everything else stays on masters) */
  readFromReplicas?: boolean;
  separator?: string;
  /** reach the server (any kind) through an SSH tunnel to this bastion */
  ssh?: SshOptions;
}

interface ParsedUrl {
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
  const kind = p.kind ?? 'standalone';
  if (!CONNECTION_KINDS.includes(kind)) return `Connection "${p.name}" has an unknown kind "${String(kind)}": use standalone, cluster or sentinel.`;
  const list = kind === 'cluster' ? 'nodes' : kind === 'sentinel' ? 'sentinels' : undefined;
  const seeds = list ? p[list] : undefined;
  if (list && seeds !== undefined) {
    if (!Array.isArray(seeds) || seeds.length === 0) return `Connection "${p.name}": "${list}" must be a list of { host, port }.`;
    for (const s of seeds) {
      if (!s || typeof s !== 'object' || !s.host || typeof s.host !== 'string') return `Connection "${p.name}": each of "${list}" needs a host.`;
      if (!validPort(s.port)) return `Connection "${p.name}": ${s.host} in "${list}" has an invalid port.`;
    }
  } else {
    if (!p.host || typeof p.host !== 'string') return `Connection "${p.name}" needs a host.`;
    if (!validPort(p.port)) return `Connection "${p.name}" has an invalid port.`;
  }
  if (kind !== 'cluster' && p.nodes !== undefined) return `Connection "${p.name}": "nodes" are for a cluster connection (kind "cluster").`;
  if (kind !== 'sentinel' && (p.sentinels !== undefined || p.masterName !== undefined)) return `Connection "${p.name}": "sentinels" and "masterName" are for a sentinel connection (kind "sentinel").`;
  if (p.readFromReplicas !== undefined && typeof p.readFromReplicas !== 'boolean') return `Connection "${p.name}": "readFromReplicas" must be true or false.`;
  if (kind !== 'cluster' && p.readFromReplicas) return `Connection "${p.name}": "readFromReplicas" is only for a cluster connection (kind "cluster"), not a ${kind} one.`;
  if (kind === 'sentinel' && (!p.masterName || typeof p.masterName !== 'string')) return `Connection "${p.name}" needs "masterName": the name the sentinels monitor the master under.`;
  if (p.db !== undefined && (!Number.isInteger(p.db) || p.db < 0)) return `Connection "${p.name}" has an invalid database number.`;
  if (kind === 'cluster' && p.db !== undefined && p.db !== 0) return `Connection "${p.name}" is a cluster: a cluster has only database 0.`;
  return sshProblem(p.name, p.ssh) ?? tlsFilesProblem(p.name, p.tls);
}

function validPort(port: unknown): boolean {
  return Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535;
}

/** The seed nodes of a cluster, or the sentinels, or the one server: `nodes`/`sentinels` when set, else host:port. */
export function seedsOf(p: ConnectionProfile): HostPort[] {
  const list = p.kind === 'cluster' ? p.nodes : p.kind === 'sentinel' ? p.sentinels : undefined;
  return list && list.length ? list.map((s) => ({ host: s.host, port: s.port })) : [{ host: p.host, port: p.port }];
}

/** A profile read from settings: host/port of a cluster or sentinel profile given only as a list are its first entry. */
export function withAddress(p: Omit<ConnectionProfile, 'host' | 'port'> & Partial<Pick<ConnectionProfile, 'host' | 'port'>>): ConnectionProfile {
  if (p.host !== undefined && p.port !== undefined) return p as ConnectionProfile;
  const first = (p.kind === 'cluster' ? p.nodes : p.kind === 'sentinel' ? p.sentinels : undefined)?.[0];
  return { ...p, host: p.host ?? first?.host ?? '127.0.0.1', port: p.port ?? first?.port ?? 6379 } as ConnectionProfile;
}

function hostPort(s: HostPort): string {
  return `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
}

/** Where a connection goes, for messages: "127.0.0.1:6379", "cluster 10.0.0.1:7000, …", "master mymaster via sentinels …". */
export function whereOf(p: ConnectionProfile): string {
  const seeds = seedsOf(p);
  const list = seeds.length > 2 ? `${seeds.slice(0, 2).map(hostPort).join(', ')}, …` : seeds.map(hostPort).join(', ');
  if (p.kind === 'cluster') return `cluster ${list}`;
  if (p.kind === 'sentinel') return `master "${p.masterName ?? ''}" via sentinels ${list}`;
  return hostPort(seeds[0]);
}

export function describeProfile(p: ConnectionProfile): string {
  if (p.kind === 'cluster' || p.kind === 'sentinel') return `${whereOf(p)}${p.tls ? ' (TLS)' : ''}`;
  return `${p.tls ? 'rediss' : 'redis'}://${p.username ? p.username + '@' : ''}${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
}

/** Whether two profiles say the same thing: compared by content, whatever the order of their keys (absent = undefined). */
export function sameProfile(a: ConnectionProfile, b: ConnectionProfile): boolean {
  return sameValue(a, b);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!sameValue(ra[k], rb[k])) return false;
  return true;
}

import { RedisConnection } from './connection';
import type { RedisExplorerError } from './errors';
import { toExplorerError } from './errors';
import type { ConnectionProfile } from './profile';
import { whereOf } from './profile';
import { getServerInfo } from './serverInfo';
import type { ServerInfo } from './serverInfo';

export type ConnectionTestOutcome =
  | { kind: 'ok'; where: string; info?: ServerInfo }
  | { kind: 'failed'; error: RedisExplorerError }
  | { kind: 'cancelled' };

interface ConnectionTestOptions {
  password?: string;
  /** sentinel: the sentinels' own password */
  sentinelPassword?: string;
  /** SSH and the TLS client key: secrets kept apart from the profile */
  sshPassword?: string;
  sshPassphrase?: string;
  tlsKeyPassphrase?: string;
  /** stops waiting: the outcome is `cancelled` and a client that still opens is closed */
  signal?: AbortSignal;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/**
 * Tries a profile before it is saved: connect (with its user, password, TLS and database), PING,
 * read the server version when INFO is allowed, close. Writes nothing.
 */
export async function testConnection(profile: ConnectionProfile, options: ConnectionTestOptions = {}): Promise<ConnectionTestOutcome> {
  const signal = options.signal;
  if (signal?.aborted) return { kind: 'cancelled' };
  const attempt = (async (): Promise<ConnectionTestOutcome> => {
    const conn = await RedisConnection.open(profile, {
      password: options.password,
      sentinelPassword: options.sentinelPassword,
      sshPassword: options.sshPassword,
      sshPassphrase: options.sshPassphrase,
      tlsKeyPassphrase: options.tlsKeyPassphrase,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      commandTimeoutMs: options.commandTimeoutMs ?? 5000,
      maxReconnects: 0,
    });
    try {
      if (signal?.aborted) return { kind: 'cancelled' };
      await conn.run((c) => c.ping());
      let info: ServerInfo | undefined;
      try {
        info = await getServerInfo(conn);
      } catch {
        // INFO may be refused to a restricted ACL user: the connection works all the same.
      }
      return { kind: 'ok', where: conn.where, info };
    } finally {
      await conn.close();
    }
  })().catch((err: unknown): ConnectionTestOutcome => ({ kind: 'failed', error: toExplorerError(err, whereOf(profile)) }));
  if (!signal) return attempt;
  // The attempt cannot be interrupted; it finishes (and closes its client) on its own.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<ConnectionTestOutcome>((resolve) => {
    onAbort = () => resolve({ kind: 'cancelled' });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([attempt, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

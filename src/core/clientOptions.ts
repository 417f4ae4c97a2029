import type { ConnectionOptions } from 'node:tls';
import type { RedisOptions } from 'ioredis';
import type { ConnectOptions } from './connectOptions';
import type { ConnectionProfile, TlsOptions } from './profile';
import { tlsThroughTunnel } from './sshRoutes';
import { tlsConnectionOptions } from './tlsFiles';

/*
 * The ioredis options a connection's clients get: what every client of a profile shares (cluster and sentinel
 * clients too) and what a standalone or sentinel-master client adds. Policy lives here: never queued, never resent.
 */

/** Options every client of a profile shares: user, password, TLS, timeouts; never queued, never resent. */
export function clientOptions(profile: ConnectionProfile, options: ConnectOptions): RedisOptions {
  return {
    username: profile.username || undefined,
    password: options.password || undefined,
    tls: options.route ? tlsThroughTunnel(tlsOptions(profile.tls, options), options.route.hosts) : tlsOptions(profile.tls, options),
    // Through SSH: every address Redis announces (cluster nodes, the master a sentinel names) to its local forward.
    ...(options.route ? { natMap: options.route.natMap } : {}),
    connectTimeout: options.connectTimeoutMs ?? 5000,
    commandTimeout: options.commandTimeoutMs ?? 15000,
    // Never resend a command whose answer was lost (a write could run twice).
    autoResendUnfulfilledCommands: false,
    // The ready check needs INFO, which restricted ACL users may lack; a PING suffices.
    enableReadyCheck: false,
    connectionName: 'redis-hash-explorer',
  };
}

/** A standalone (or sentinel master) client at `at`: db 0 until checked, no offline queue, no retry on the first connect. */
export function standaloneOptions(profile: ConnectionProfile, options: ConnectOptions, at: { host: string; port: number }): RedisOptions {
  return {
    ...clientOptions(profile, options),
    host: at.host,
    port: at.port,
    // The database is selected after connecting and checked before the connection is handed out: ioredis's own
    // SELECT at connect only emits an 'error' event and stays on db 0 when the server lacks the database.
    db: 0,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    // Never queue a command while disconnected (it would run later, unasked).
    enableOfflineQueue: false,
    autoResubscribe: false,
    // Fail fast on the first connect: a wrong password or a closed port is reported, not retried.
    retryStrategy: () => null,
  };
}

/** TLS options from the profile's files (CA, client certificate and key), checked before anything is sent. */
function tlsOptions(tls: boolean | TlsOptions | undefined, options: ConnectOptions): ConnectionOptions | undefined {
  return tlsConnectionOptions(tls, options.tlsKeyPassphrase);
}

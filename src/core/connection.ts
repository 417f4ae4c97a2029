import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { RedisExplorerError, toExplorerError } from './errors';
import type { ConnectionProfile, TlsOptions } from './profile';

export interface ConnectOptions {
  password?: string;
  /** overrides profile.db */
  db?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** reconnect attempts after a connection that worked was lost */
  maxReconnects?: number;
}

/**
 * One open client for one profile and database. Every write in the core goes through
 * `assertWritable()`, so a read-only profile is refused here, not only in the UI.
 */
export class RedisConnection {
  private constructor(
    readonly profile: ConnectionProfile,
    readonly db: number,
    readonly client: Redis,
  ) {}

  get readOnly(): boolean {
    return this.profile.readOnly === true;
  }

  get where(): string {
    return `${this.profile.host}:${this.profile.port}`;
  }

  assertWritable(): void {
    if (this.readOnly) {
      throw new RedisExplorerError('READONLY', `Connection "${this.profile.name}" is read-only: writes are disabled.`);
    }
  }

  /** Runs a command, turning failures into clear messages. */
  async run<T>(fn: (client: Redis) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (err) {
      throw toExplorerError(err, this.where);
    }
  }

  get status(): string {
    return this.client.status;
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  static async open(profile: ConnectionProfile, options: ConnectOptions = {}): Promise<RedisConnection> {
    const db = options.db ?? profile.db ?? 0;
    const maxReconnects = options.maxReconnects ?? 5;
    const redisOptions: RedisOptions = {
      host: profile.host,
      port: profile.port,
      db,
      username: profile.username || undefined,
      password: options.password || undefined,
      tls: tlsOptions(profile.tls),
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      commandTimeout: options.commandTimeoutMs ?? 15000,
      maxRetriesPerRequest: 1,
      // The ready check needs INFO, which restricted ACL users may lack; the PING below suffices.
      enableReadyCheck: false,
      autoResubscribe: false,
      // Fail fast on the first connect: a wrong password or a closed port is reported, not retried.
      retryStrategy: () => null,
      connectionName: 'redis-hash-explorer',
    };
    const client = new Redis(redisOptions);
    // ioredis emits 'error' for every failed attempt; callers get errors through promises instead.
    // The first connect only says "Connection is closed", so keep the real cause to report it.
    let cause: unknown;
    client.on('error', (err: unknown) => {
      cause ??= err;
    });
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      const closed = err instanceof Error && /Connection is closed/.test(err.message);
      throw toExplorerError(closed && cause ? cause : err, `${profile.host}:${profile.port}`);
    }
    // Once connected, survive a short network blip, but never reconnect forever.
    client.options.retryStrategy = (times: number) => (times > maxReconnects ? null : Math.min(times * 250, 2000));
    return new RedisConnection(profile, db, client);
  }
}

function tlsOptions(tls: boolean | TlsOptions | undefined): ConnectionOptions | undefined {
  if (!tls) return undefined;
  const o: TlsOptions = tls === true ? {} : tls;
  const result: ConnectionOptions = { rejectUnauthorized: o.verify !== false };
  if (o.servername) result.servername = o.servername;
  if (o.caFile) {
    try {
      result.ca = readFileSync(o.caFile);
    } catch (err) {
      throw new RedisExplorerError('TLS', `Cannot read the CA file "${o.caFile}": ${(err as Error).message}`);
    }
  }
  return result;
}

import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { CONNECTION_LOST, RedisExplorerError, toExplorerError } from './errors';
import type { ConnectionProfile, TlsOptions } from './profile';

export interface ConnectOptions {
  password?: string;
  /** overrides profile.db */
  db?: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** longest pause between reconnect attempts after a connection that worked was lost */
  maxReconnectDelayMs?: number;
  /** reconnect attempts after a connection that worked was lost (default: for as long as it is open) */
  maxReconnects?: number;
}

/** Commands that change data: a call that sent one and got no answer may have changed it. */
const WRITES = new Set([
  'hset', 'hsetnx', 'hmset', 'hdel', 'hincrby', 'hincrbyfloat', 'hexpire', 'hpexpire', 'hexpireat', 'hpexpireat', 'hpersist',
  'hsetex', 'hgetex', 'hgetdel', 'eval', 'evalsha', 'fcall', 'set', 'del', 'unlink', 'rename', 'renamenx', 'expire', 'pexpire',
  'expireat', 'pexpireat', 'persist', 'copy', 'restore', 'move', 'multi', 'exec', 'flushdb', 'flushall', 'sendcommand',
]);

function isWrite(method: string, args: unknown[]): boolean {
  const name = method.replace(/Buffer$/, '').toLowerCase();
  if (name === 'call') return typeof args[0] === 'string' && WRITES.has(args[0].toLowerCase());
  return WRITES.has(name);
}

/**
 * One open client for one profile and database. Every write in the core goes through
 * `assertWritable()`, so a read-only profile is refused here, not only in the UI.
 *
 * Once connected it reconnects by itself for as long as it is open (the tree, editors and pagers keep
 * their connection across a server restart). Commands are never queued while disconnected and never
 * sent twice: a call while reconnecting fails at once ("nothing was written"), and a call whose
 * connection closed before the answer fails as "the change may still be applied".
 */
export class RedisConnection {
  /** why the connection gave up reconnecting (a password or database the server no longer accepts) */
  private fatal: RedisExplorerError | undefined;
  private readonly waiting = new Set<(err: Error) => void>();

  private constructor(
    readonly profile: ConnectionProfile,
    readonly db: number,
    readonly client: Redis,
  ) {
    // An answer that never comes after a close: ioredis does not resend it (autoResendUnfulfilledCommands
    // off) and would leave it waiting until its timeout; fail it now.
    client.on('close', () => {
      for (const fail of [...this.waiting]) fail(new Error(CONNECTION_LOST));
    });
  }

  get readOnly(): boolean {
    return this.profile.readOnly === true;
  }

  get where(): string {
    return `${this.profile.host}:${this.profile.port}`;
  }

  assertWritable(): void {
    if (this.readOnly) {
      throw new RedisExplorerError('READONLY', `Connection "${this.profile.name}" is read-only: writes are disabled. Nothing was written.`);
    }
  }

  /**
   * Runs commands, turning failures into clear messages that say whether anything may have been
   * written (the commands `fn` calls are noted on their way to the client).
   */
  async run<T>(fn: (client: Redis) => Promise<T>): Promise<T> {
    if (this.fatal && this.client.status === 'end') throw this.fatal;
    let wrote = false;
    const client = this.client;
    const noting = new Proxy(client, {
      get(target, prop) {
        const v: unknown = Reflect.get(target, prop, target);
        if (typeof v !== 'function' || typeof prop !== 'string') return v;
        return (...args: unknown[]) => {
          if (!wrote && isWrite(prop, args)) wrote = true;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    let fail: (err: Error) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => (fail = reject));
    this.waiting.add(fail);
    try {
      return await Promise.race([fn(noting), lost]);
    } catch (err) {
      if (this.fatal && /Connection is closed|Stream isn't writeable/i.test(String((err as Error)?.message))) throw this.fatal;
      throw toExplorerError(err, this.where, wrote ? 'write' : 'read');
    } finally {
      this.waiting.delete(fail);
    }
  }

  get status(): string {
    return this.client.status;
  }

  /** Resolves once the client is connected (true), or false after `ms` or when it gave up. */
  whenReady(ms: number): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    if (this.client.status === 'end') return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('end', onEnd);
        resolve(ok);
      };
      const onReady = () => done(true);
      const onEnd = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.client.on('ready', onReady);
      this.client.on('end', onEnd);
    });
  }

  /** The error that made the connection give up, once it has. */
  get failure(): RedisExplorerError | undefined {
    return this.fatal;
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
    const where = `${profile.host}:${profile.port}`;
    if (!Number.isInteger(db) || db < 0) throw new RedisExplorerError('INVALID', `"${String(db)}" is not a database number (0, 1, 2, …). Nothing was sent to ${where}.`);
    const maxDelay = options.maxReconnectDelayMs ?? 2000;
    const redisOptions: RedisOptions = {
      host: profile.host,
      port: profile.port,
      // The database is selected below and checked before the connection is handed out: ioredis's own
      // SELECT at connect only emits an 'error' event and stays on db 0 when the server lacks the database.
      db: 0,
      username: profile.username || undefined,
      password: options.password || undefined,
      tls: tlsOptions(profile.tls),
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      commandTimeout: options.commandTimeoutMs ?? 15000,
      maxRetriesPerRequest: 1,
      // Never queue a command while disconnected (it would run later, unasked), never resend one whose
      // answer was lost (a write could run twice).
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
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
    let handshaken = false;
    client.on('error', (err: unknown) => {
      cause ??= err;
    });
    if (profile.tls) client.once('connect', () => (handshaken = true));
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      const closed = err instanceof Error && /Connection is closed|Stream isn't writeable/.test(err.message);
      const e = toExplorerError(closed && cause ? cause : err, where);
      // A TLS client on a plain-text port waits for a handshake that never comes.
      if (profile.tls && !handshaken && (e.code === 'TIMEOUT' || e.code === 'CLOSED')) {
        throw new RedisExplorerError('TLS', `TLS handshake failed (${where}): the server did not complete it (is TLS enabled on that port?). Nothing was written.`, err);
      }
      throw e;
    }
    if (db !== 0) {
      try {
        await client.select(db);
      } catch (err) {
        const range = await databaseCount(client);
        client.disconnect();
        const e = toExplorerError(err, where);
        if (e.code !== 'INVALID') throw e;
        throw new RedisExplorerError('INVALID', `The server ${where} has no database ${db}${range ? ` (it has 0 to ${range - 1})` : ''}. Nothing was written.`, err);
      }
    }
    const conn = new RedisConnection(profile, db, client);
    client.removeAllListeners('error');
    client.on('error', (err: unknown) => conn.onError(err));
    // Once connected, reconnect for as long as the connection is open: a restart or a network blip heals.
    const limit = options.maxReconnects ?? Infinity;
    client.options.retryStrategy = (times: number) => (times > limit ? null : Math.min(times * 250, maxDelay));
    return conn;
  }

  /** After connecting: a reconnect the server refuses for good (password, database) ends the connection. */
  private onError(err: unknown): void {
    const e = toExplorerError(err, this.where);
    if (e.code === 'AUTH' || (e.code === 'INVALID' && /database/.test(e.message))) {
      this.fatal ??= new RedisExplorerError(e.code, `${e.message.replace(/\.$/, '')} on reconnecting; the connection was closed.`, err);
      this.client.disconnect();
    }
  }
}

async function databaseCount(client: Redis): Promise<number | undefined> {
  try {
    const reply = (await client.config('GET', 'databases')) as unknown as string[];
    return Array.isArray(reply) && reply[1] ? Number(reply[1]) || undefined : undefined;
  } catch {
    return undefined;
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

import Redis from 'ioredis';
import type { Cluster, RedisOptions } from 'ioredis';
import { CONNECTION_LOST, NOT_SELECTED, RedisExplorerError, toExplorerError } from './errors';
import { gateOnSelect } from './selectGate';
import type { ConnectionKind, ConnectionProfile } from './profile';
import { whereOf } from './profile';
import { routeProfile } from './sshRoutes';
import { SshTunnel } from './sshTunnel';
import { confirmWrite, openCluster, openSentinel, readReplicaCount } from './topology';
import type { ConnectOptions } from './connectOptions';
import { clientOptions, standaloneOptions } from './clientOptions';

export type { ConnectOptions } from './connectOptions';

/**
 * What the core runs commands on: one server or a whole cluster (ioredis routes each keyed command to the
 * node that owns its slot, and follows MOVED and ASK). Callbacks use only what both have.
 */
export type Commands = Redis | Cluster;

/** What a pool follows: the link was lost (reconnecting), is back (ready), or has ended for good. */
type LinkState = 'lost' | 'ready' | 'end';

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
  /** sentinel: replicas of the current master (writes are confirmed with WAIT where it has any) */
  private replicas: Promise<number> | undefined;
  /** run after the client is closed: a tunnel of its own */
  private readonly closing: Array<() => Promise<void>> = [];

  private constructor(
    readonly profile: ConnectionProfile,
    readonly db: number,
    private readonly commands: Commands,
    private readonly options: ConnectOptions = {},
  ) {
    // An answer that never comes after a close: ioredis does not resend it (autoResendUnfulfilledCommands
    // off) and would leave it waiting until its timeout; fail it now.
    commands.on('close', () => {
      for (const fail of [...this.waiting]) fail(new Error(CONNECTION_LOST));
    });
    // After a failover the master is another server: count its replicas again.
    if (this.kind === 'sentinel') commands.on('ready', () => (this.replicas = undefined));
  }

  get kind(): ConnectionKind {
    return this.profile.kind ?? 'standalone';
  }

  get isCluster(): boolean {
    return this.kind === 'cluster';
  }

  /** The one client of a standalone or sentinel connection (tests and benchmarks reach the server through it). */
  get client(): Redis {
    if (this.isCluster) throw new RedisExplorerError('INVALID', `Connection "${this.profile.name}" is a cluster: it has no single client.`);
    return this.commands as Redis;
  }

  /** The servers a keyspace scan must visit: every master of a cluster, else the one server. */
  scanTargets(): Redis[] {
    return this.isCluster ? (this.commands as Cluster).nodes('master') : [this.commands as Redis];
  }

  /** Cluster: every node the client knows, replicas too (a scan follows a replica the cluster promoted before the client's slot map does). */
  clusterNodes(): Redis[] {
    return this.isCluster ? (this.commands as Cluster).nodes('all') : [this.commands as Redis];
  }

  /** "host:port" of one node, as scanTargets gives it. */
  static nodeKey(node: Redis): string {
    return `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;
  }

  /** Cluster: the master now serving `slot` (after a failover, the promoted replica). */
  masterOfSlot(slot: number): Redis | undefined {
    if (!this.isCluster) return this.commands as Redis;
    const cluster = this.commands as Cluster;
    const key = cluster.slots[slot]?.[0];
    return key ? cluster.nodes('master').find((n) => RedisConnection.nodeKey(n) === key) : undefined;
  }

  /** Cluster: the replicas of `slot`'s master in the client's slot map, as the client's own (READONLY) connections to them. */
  replicasOfSlot(slot: number): Redis[] {
    const keys = this.isCluster ? ((this.commands as Cluster).slots[slot]?.slice(1) ?? []) : [];
    return keys.length ? (this.commands as Cluster).nodes('slave').filter((n) => keys.includes(RedisConnection.nodeKey(n))) : [];
  }

  /** Cluster: re-read the slot map now (a redirect named a node the client does not know yet). */
  refreshTopology(): void {
    if (this.isCluster) (this.commands as Cluster).refreshSlotsCache();
  }

  /** Cluster: the first slot each master serves (so a scan can find a failed master's successor). */
  firstSlots(): Map<string, number> {
    const out = new Map<string, number>();
    if (!this.isCluster) return out;
    const slots = (this.commands as Cluster).slots;
    for (let s = 0; s < slots.length; s++) {
      const key = slots[s]?.[0];
      if (key && !out.has(key)) out.set(key, s);
    }
    return out;
  }

  /** Runs `fn` on every scan target (each master of a cluster), in parallel, with this connection's error messages. */
  forEachNode<T>(fn: (node: Redis) => Promise<T>): Promise<T[]> {
    return Promise.all(this.scanTargets().map((n) => this.runOn(n, fn)));
  }

  /** Follows the link: lost, ready again, ended. Returns a function that stops following. */
  onState(listener: (state: LinkState) => void): () => void {
    const lost = () => listener('lost');
    // ioredis may still say ready after a reconnect's SELECT was refused (the socket is closing): it is not.
    const ready = () => this.fatal || listener('ready');
    const end = () => listener('end');
    this.commands.on('reconnecting', lost);
    this.commands.on('ready', ready);
    this.commands.on('end', end);
    return () => {
      this.commands.off('reconnecting', lost);
      this.commands.off('ready', ready);
      this.commands.off('end', end);
    };
  }

  get readOnly(): boolean {
    return this.profile.readOnly === true;
  }

  get where(): string {
    return whereOf(this.profile);
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
  async run<T>(fn: (client: Commands) => Promise<T>): Promise<T> {
    return this.runOn(this.commands, fn);
  }

  /**
   * `run` for calls that write nothing (a page of a scan): the same messages, without a proxy made per
   * call to note writes (loading a million fields makes a thousand of these calls).
   */
  read<T>(fn: (client: Commands) => Promise<T>): Promise<T> {
    return this.runOn(this.commands, fn, true);
  }

  /**
   * A read on one node (a page of a scan), with this connection's error messages and none of `runOn`'s
   * bookkeeping per call: nothing to note, and a node's pending reads fail by themselves when it closes.
   * A scan of a million keys makes a thousand of these; `runOn` cost it a third more CPU.
   */
  readOn<T>(node: Redis, fn: (node: Redis) => Promise<T>): Promise<T> {
    return fn(node).catch((err: unknown) => {
      throw this.endedBy(err) ?? toExplorerError(err, this.where, 'read');
    });
  }

  /** `run` on one node of a cluster (a scan of one master), or on the whole client. */
  async runOn<C extends Commands, T>(client: C, fn: (client: C) => Promise<T>, readsOnly = false): Promise<T> {
    if (this.fatal && this.commands.status === 'end') throw this.fatal;
    let wrote = false;
    // `readsOnly`: the caller sends no write, so nothing needs noting (a scan's many pages skip the proxy).
    const noting = readsOnly ? client : new Proxy(client, {
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
      const result = await Promise.race([fn(noting), lost]);
      if (wrote && this.kind === 'sentinel') await this.confirm();
      return result;
    } catch (err) {
      const ended = this.endedBy(err);
      if (ended) throw ended;
      throw toExplorerError(err, this.where, wrote ? 'write' : 'read');
    } finally {
      this.waiting.delete(fail);
    }
  }

  /** Once the connection gave up: a command refused unsent is told why (the password or database), not "reconnecting". */
  private endedBy(err: unknown): RedisExplorerError | undefined {
    const message = String((err as Error)?.message);
    return this.fatal && (/Connection is closed|Stream isn't writeable/i.test(message) || message === NOT_SELECTED) ? this.fatal : undefined;
  }

  /**
   * Sentinel: a write is done only once a replica has it (WAIT 1), so a failover cannot lose a write we
   * reported as done. A master without replicas has nothing to wait for.
   */
  private async confirm(): Promise<void> {
    const client = this.commands as Redis;
    this.replicas ??= readReplicaCount(client).catch(() => 0);
    const replicas = await this.replicas;
    if (replicas > 0) await confirmWrite(client, this.where, this.options.confirmTimeoutMs ?? 5000);
  }

  get status(): string {
    return this.commands.status;
  }

  /** Resolves once the client is connected (true), or false after `ms` or when it gave up. */
  whenReady(ms: number): Promise<boolean> {
    const client = this.commands;
    if (this.fatal || client.status === 'end') return Promise.resolve(false);
    if (client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('end', onEnd);
        resolve(ok);
      };
      const onReady = () => done(!this.fatal);
      const onEnd = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      client.on('ready', onReady);
      client.on('end', onEnd);
    });
  }

  /** The error that made the connection give up, once it has. */
  get failure(): RedisExplorerError | undefined {
    return this.fatal;
  }

  async close(): Promise<void> {
    try {
      await this.commands.quit();
    } catch {
      this.commands.disconnect();
    }
    // QUIT leaves a sentinel client's failover watch (its own sentinel connections) running.
    if (this.kind === 'sentinel') this.commands.disconnect();
    for (const done of this.closing.splice(0)) await done();
  }

  /** Through `profile.ssh`: the tunnel given (shared) or one of its own (closed with the connection). */
  private static async openThroughSsh(profile: ConnectionProfile, options: ConnectOptions): Promise<RedisConnection> {
    const ssh = profile.ssh as NonNullable<ConnectionProfile['ssh']>;
    const tunnel =
      options.tunnel ??
      (await SshTunnel.open(ssh, { password: options.sshPassword, passphrase: options.sshPassphrase }, { readyTimeoutMs: Math.max(options.connectTimeoutMs ?? 5000, 10000), log: options.log }));
    try {
      const route = await routeProfile(profile, tunnel);
      const conn = await RedisConnection.open(profile, { ...options, route });
      if (!options.tunnel) conn.closing.push(() => tunnel.close());
      return conn;
    } catch (err) {
      if (!options.tunnel) await tunnel.close();
      throw err;
    }
  }

  static async open(profile: ConnectionProfile, options: ConnectOptions = {}): Promise<RedisConnection> {
    if (profile.ssh && !options.route) return RedisConnection.openThroughSsh(profile, options);
    // Where the client dials: the profile's own addresses, or their local forwards through SSH.
    const at = options.route?.profile ?? profile;
    const db = options.db ?? profile.db ?? 0;
    const where = whereOf(profile);
    if (!Number.isInteger(db) || db < 0) throw new RedisExplorerError('INVALID', `"${String(db)}" is not a database number (0, 1, 2, …). Nothing was sent to ${where}.`);
    if (profile.kind === 'cluster') {
      if (db !== 0) throw new RedisExplorerError('INVALID', `A cluster has only database 0 (${where}); db ${db} was refused. Nothing was sent.`);
      const cluster = await openCluster(at, options, clientOptions(profile, options));
      return new RedisConnection(profile, 0, cluster, options);
    }
    const maxDelay = options.maxReconnectDelayMs ?? 2000;
    const redisOptions = standaloneOptions(profile, options, at);
    if (profile.kind === 'sentinel') return RedisConnection.openThroughSentinels(profile, options, redisOptions, db, at);
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
    return RedisConnection.ready(profile, options, client, db, maxDelay);
  }

  private static async openThroughSentinels(profile: ConnectionProfile, options: ConnectOptions, redisOptions: RedisOptions, db: number, at: ConnectionProfile): Promise<RedisConnection> {
    const client = await openSentinel(at, options, redisOptions);
    return RedisConnection.ready(profile, options, client, db, options.maxReconnectDelayMs ?? 2000);
  }

  /** Selects and checks the database, then lets the client reconnect by itself from now on. */
  private static async ready(profile: ConnectionProfile, options: ConnectOptions, client: Redis, db: number, maxDelay: number): Promise<RedisConnection> {
    const where = whereOf(profile);
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
    const conn = new RedisConnection(profile, db, client, options);
    // From now on no command runs on a socket before SELECT db succeeded on it (a reconnect's too).
    if (db !== 0) gateOnSelect(client, db, (err) => conn.selectRefused(err));
    client.removeAllListeners('error');
    client.on('error', (err: unknown) => conn.onError(err));
    // Once connected, reconnect for as long as the connection is open: a restart or a network blip heals.
    const limit = options.maxReconnects ?? Infinity;
    const retry = (times: number) => (times > limit ? null : Math.min(times * 250, maxDelay));
    client.options.retryStrategy = retry;
    // Sentinel: ask the sentinels again for as long as the connection is open.
    if (profile.kind === 'sentinel') client.options.sentinelRetryStrategy = retry;
    return conn;
  }

  /** After connecting: a reconnect the server refuses for good (password, database) ends the connection. */
  private onError(err: unknown): void {
    const e = toExplorerError(err, this.where);
    if (e.code === 'INVALID' && /database/.test(e.message)) this.selectRefused(err);
    else if (e.code === 'AUTH') {
      this.fatal ??= new RedisExplorerError(e.code, `${e.message.replace(/\.$/, '')} on reconnecting; the connection was closed.`, err);
      this.commands.disconnect();
    }
  }

  /**
   * A reconnect's SELECT failed (nothing else was sent on that socket): a database the server no longer has
   * ends the connection; anything else (no answer in time) tries a new socket.
   */
  private selectRefused(err: unknown): void {
    const client = this.commands as Redis;
    if (toExplorerError(err, this.where).code === 'INVALID') {
      this.fatal ??= new RedisExplorerError('INVALID', `The server ${this.where} has no database ${this.db} any more: the connection was closed. Nothing was written.`, err);
      client.disconnect();
    } else if (client.status === 'connect' || client.status === 'ready') client.disconnect(true);
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

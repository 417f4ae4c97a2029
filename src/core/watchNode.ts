import type Redis from 'ioredis';
import type { ConnectOptions } from './connection';
import { RedisConnection } from './connection';
import { RedisExplorerError, toExplorerError } from './errors';
import type { ConnectionProfile } from './profile';
import { whereOf } from './profile';

/*
 * Watching keys on one server: two dedicated connections (a reader and a subscriber) and the best way the
 * server allows to hear of changes. The node only says "these keys may have changed" (or "everything shown
 * must be re-read" after a reconnect); reading what changed is the watcher's job (watch.ts).
 */

/** How a node hears of changes. */
export type NodeMode = 'tracking' | 'notifications' | 'polling';

interface NodeHooks {
  /** keys (as latin1 ids of their bytes) that may have changed; `undefined`: every key (FLUSHDB, a poll) */
  dirty(ids: string[] | undefined): void;
  /** the node (re)started watching: every key must be read again and its views re-read */
  resync(): void;
  /** the mode or the link changed */
  status(): void;
  log(message: string): void;
}

interface NodeOptions {
  /** 'polling' skips the live modes */
  polling: boolean;
  /** may turn on keyspace notifications with CONFIG SET when they are off */
  allowConfig: boolean;
  connect: ConnectOptions;
  /** opens one watch link (default RedisConnection.open): a caller that reaches servers another way passes its own */
  open?: (profile: ConnectionProfile, options: ConnectOptions) => Promise<RedisConnection>;
}

/** Keyspace events a hash view needs: K (keyspace channel) + generic, hash and expired events. */
const NEEDED = ['g', 'h', 'x'];

/** A reply that says the server or the user's ACL does not allow a way of watching: try the next one. */
function refusal(err: unknown): boolean {
  if (err instanceof RedisExplorerError) return err.code === 'NOPERM';
  const e = toExplorerError(err);
  // Any error reply ("ERR unknown command", "ERR Can't execute") refused this way; a lost link did not.
  return e.code === 'NOPERM' || (e.code === 'UNKNOWN' && err instanceof Error && /^[A-Z][A-Z_]+ /.test(err.message));
}

export function keyId(key: string | Buffer): string {
  return (typeof key === 'string' ? Buffer.from(key) : key).toString('latin1');
}

function needsConfig(current: string): string | undefined {
  const has = (c: string) => current.includes(c) || (current.includes('A') && c !== 'K' && c !== 'E');
  if (has('K') && NEEDED.every(has)) return undefined;
  let merged = current;
  for (const c of ['K', ...NEEDED]) if (!has(c)) merged += c;
  return merged;
}

export class WatchNode {
  mode: NodeMode | undefined;
  /** set while the node's link is down or not yet up */
  down = true;
  /** why a live mode was not used (for the log and the status detail) */
  fallback: string | undefined;
  private reader: RedisConnection | undefined;
  private sub: RedisConnection | undefined;
  private readonly subscribed = new Set<string>();
  /** the subscriber's client id while it is subscribed to invalidations (a reconnect gives it a new one) */
  private subId: number | undefined;
  private stopped = false;
  private setupChain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private retries = 0;
  private readonly unfollow: Array<() => void> = [];

  constructor(
    readonly profile: ConnectionProfile,
    readonly db: number,
    private readonly options: NodeOptions,
    private readonly hooks: NodeHooks,
    /** the ids of the keys watched on this node, with their bytes */
    private readonly keys: () => Map<string, Buffer>,
  ) {}

  get where(): string {
    return whereOf(this.profile);
  }

  start(): void {
    this.queueSetup();
  }

  /** The connection reads run on (TYPE re-arms tracking of a key there). */
  get readerClient(): Redis | undefined {
    return this.reader && this.reader.status === 'ready' ? this.reader.client : undefined;
  }

  /** Runs `fn` on the reader with our error messages. */
  run<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
    const reader = this.reader;
    if (!reader) return Promise.reject(toExplorerError(new Error("Stream isn't writeable"), this.where));
    return reader.runOn(reader.client, fn);
  }

  /** A key was added or removed: keyspace notifications follow it with a channel of its own. */
  keysChanged(): void {
    if (this.mode === 'notifications' && !this.down) void this.syncChannels().catch((err) => this.linkTrouble(err));
  }

  /** Checks both links (a socket that stays open while the server is gone is found this way). */
  async ping(): Promise<boolean> {
    if (this.down || !this.reader) return false;
    try {
      await this.run((c) => c.ping());
      if (this.sub) await this.sub.runOn(this.sub.client, (c) => c.ping());
      return true;
    } catch (err) {
      this.hooks.log(`watch: ${this.where} did not answer a PING (${toExplorerError(err, this.where).message}); reconnecting`);
      this.reader?.client.disconnect(true);
      this.sub?.client.disconnect(true);
      return false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.closeLinks();
  }

  private async closeLinks(): Promise<void> {
    for (const off of this.unfollow.splice(0)) off();
    const links = [this.reader, this.sub].filter((c): c is RedisConnection => !!c);
    this.reader = this.sub = undefined;
    this.subscribed.clear();
    this.subId = undefined;
    await Promise.all(links.map((c) => c.close()));
  }

  /** Setups run one after another: a reconnect of both links at once sets up once more, never twice at the same time. */
  private queueSetup(): void {
    this.setupChain = this.setupChain.then(() => this.setup()).catch((err) => this.linkTrouble(err));
  }

  private async setup(): Promise<void> {
    if (this.stopped) return;
    this.down = true;
    if (!this.reader) {
      await this.open();
      return;
    }
    // A link came back: it lost its tracking, its subscriptions or its client id.
    if (this.reader.status !== 'ready' || (this.sub && this.sub.status !== 'ready')) return;
    await this.arm();
    this.afterUp();
  }

  private afterUp(): void {
    this.down = false;
    this.retries = 0;
    this.hooks.status();
    this.hooks.resync();
  }

  /** First connect: choose the mode, then follow both links. */
  private async open(): Promise<void> {
    const connect = { ...this.options.connect, db: this.db };
    const openLink = this.options.open ?? ((p: ConnectionProfile, o: ConnectOptions) => RedisConnection.open(p, o));
    const reader = await openLink(this.profile, connect);
    this.reader = reader;
    this.mode = undefined;
    this.fallback = undefined;
    if (!this.options.polling) {
      const sub = await openLink(this.profile, connect).catch(async (err) => {
        await this.closeLinks();
        throw err;
      });
      this.sub = sub;
      sub.client.on('messageBuffer', (channel: Buffer, message: unknown) => this.onMessage(channel, message));
      for (const mode of ['tracking', 'notifications'] as const) {
        this.mode = mode;
        try {
          await this.arm();
          break;
        } catch (err) {
          if (!refusal(err)) {
            await this.closeLinks();
            throw err;
          }
          const why = toExplorerError(err, this.where).message;
          this.fallback = why;
          this.hooks.log(`watch: ${mode} refused on ${this.where} (${why}); trying the next way`);
          this.mode = undefined;
          await this.unsubscribeAll().catch(() => undefined);
        }
      }
      if (!this.mode) {
        this.sub = undefined;
        await sub.close();
      }
    }
    this.mode ??= 'polling';
    for (const link of [this.reader, this.sub]) {
      if (!link) continue;
      this.unfollow.push(
        link.onState((state) => {
          if (this.stopped) return;
          if (state === 'lost' && !this.down) {
            this.down = true;
            this.hooks.status();
          } else if (state === 'ready') this.queueSetup();
          else if (state === 'end') void this.closeLinks().then(() => this.linkTrouble(link.failure ?? new Error('Connection is closed')));
        }),
      );
    }
    this.hooks.log(`watch: ${this.where} db ${this.db} in ${this.mode} mode`);
    this.afterUp();
  }

  /** Turns the chosen mode on over fresh links; throws a refusal when the server or the ACL does not allow it. */
  private async arm(): Promise<void> {
    const reader = this.reader;
    const sub = this.sub;
    if (!reader) return;
    if (this.mode === 'tracking' && sub) {
      // A subscribed link accepts only (UN)SUBSCRIBE and PING: its id is read once per connection.
      if (this.subId === undefined) {
        const id = await sub.runOn(sub.client, (c) => c.client('ID'));
        await sub.runOn(sub.client, (c) => c.subscribe('__redis__:invalidate'));
        this.subId = id;
      }
      const id = this.subId;
      // Per-key tracking: one invalidation per read of a key, so a busy key sends one message until it is read again.
      await reader.runOn(reader.client, (c) => c.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)));
    } else if (this.mode === 'notifications' && sub) {
      const reply = (await reader.runOn(reader.client, (c) => c.config('GET', 'notify-keyspace-events'))) as unknown as string[];
      const current = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : '';
      const merged = needsConfig(current);
      if (merged !== undefined) {
        if (!this.options.allowConfig) throw new RedisExplorerError('NOPERM', `Keyspace notifications are off on ${this.where} (notify-keyspace-events is "${current}").`);
        await reader.runOn(reader.client, (c) => c.config('SET', 'notify-keyspace-events', merged));
        this.hooks.log(`watch: turned on keyspace notifications on ${this.where} ("${current}" → "${merged}")`);
      }
      await this.syncChannels();
    }
  }

  private channel(id: string): Buffer {
    return Buffer.concat([Buffer.from(`__keyspace@${this.db}__:`), Buffer.from(id, 'latin1')]);
  }

  /** Keyspace notifications: one channel per watched key (exact, so nothing else is delivered). */
  private async syncChannels(): Promise<void> {
    const sub = this.sub;
    if (!sub) return;
    const keys = this.keys();
    const add = [...keys.keys()].filter((id) => !this.subscribed.has(id));
    const drop = [...this.subscribed].filter((id) => !keys.has(id));
    for (const id of add) this.subscribed.add(id);
    for (const id of drop) this.subscribed.delete(id);
    if (add.length) await sub.runOn(sub.client, (c) => c.subscribe(...add.map((id) => this.channel(id).toString('latin1'))).then(() => undefined));
    if (drop.length) await sub.runOn(sub.client, (c) => c.unsubscribe(...drop.map((id) => this.channel(id).toString('latin1'))).then(() => undefined));
  }

  private async unsubscribeAll(): Promise<void> {
    const sub = this.sub;
    this.subscribed.clear();
    this.subId = undefined;
    if (sub && sub.status === 'ready') await sub.runOn(sub.client, (c) => c.unsubscribe());
  }

  private onMessage(channel: Buffer, message: unknown): void {
    const name = channel.toString('latin1');
    if (name === '__redis__:invalidate') {
      // null: FLUSHDB / FLUSHALL (every key)
      if (!Array.isArray(message)) return this.hooks.dirty(undefined);
      this.hooks.dirty(message.filter(Buffer.isBuffer).map((b) => b.toString('latin1')));
      return;
    }
    const prefix = `__keyspace@${this.db}__:`;
    if (name.startsWith(prefix)) this.hooks.dirty([name.slice(prefix.length)]);
  }

  /** The server could not be reached or closed the link for good: try again, more slowly each time. */
  private linkTrouble(err: unknown): void {
    if (this.stopped) return;
    this.down = true;
    this.hooks.log(`watch: ${this.where}: ${toExplorerError(err, this.where).message}`);
    this.hooks.status();
    clearTimeout(this.retryTimer);
    const delay = Math.min(250 * 2 ** this.retries++, this.options.connect.maxReconnectDelayMs ?? 5000);
    this.retryTimer = setTimeout(() => {
      void this.closeLinks().then(() => this.queueSetup());
    }, delay);
  }
}

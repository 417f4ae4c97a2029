import type { RedisConnection } from './connection';
import { ClusterHashScan, ClusterKeyScan } from './clusterScan';
import type { ScanPosition } from './clusterScan';
import { ReplicaChoice } from './replicaReads';

export type RedisKey = string | Buffer;

interface KeyPagerOptions {
  match?: string;
  /** SCAN TYPE (Redis 6+), e.g. 'hash' */
  type?: string;
  count?: number;
  /** see HashPagerOptions.prefetch */
  prefetch?: boolean;
  /** see HashPagerOptions.browsing */
  browsing?: boolean;
}

/**
 * SCAN with a cursor kept here: each `next()` is one round trip. Never KEYS.
 * A page may be empty while the scan is not done; SCAN may repeat a key, so callers that
 * must see each key once dedupe (the tree does it per folder).
 */
export class KeyPager {
  private cursor = '0';
  private started = false;
  private finished = false;
  private ahead: Promise<[string, Buffer[]]> | undefined;
  private reads = 0;
  private epoch = 0;
  /** in a cluster: a scan of every master, each with its own cursor */
  private cluster: ClusterKeyScan | undefined;
  /** the cluster scan's arguments (MATCH, COUNT, TYPE): it reads them on every request, so COUNT can change */
  private clusterArgs: (string | number)[] = [];
  private count: number;

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: KeyPagerOptions = {},
  ) {
    this.count = options.count ?? 500;
    this.cluster = this.clusterScan();
  }

  /** COUNT of the requests from now on (a scan that finds little asks for more per round trip). */
  setCount(count: number): void {
    this.count = count;
    const i = this.clusterArgs.indexOf('COUNT');
    if (i >= 0) this.clusterArgs[i + 1] = count;
  }

  /** Where the scan is: one cursor, or one per master of a cluster ("0" and not done: not started). */
  positions(): ScanPosition[] {
    if (this.cluster) return this.cluster.positions();
    return [{ node: undefined, cursor: this.cursor, done: this.finished }];
  }

  get done(): boolean {
    return this.finished;
  }

  async next(): Promise<Buffer[]> {
    if (this.finished) return [];
    this.started = true;
    const epoch = this.epoch;
    if (this.cluster) {
      const scan = this.cluster;
      const keys = await scan.next();
      if (epoch !== this.epoch) return [];
      this.finished = scan.done;
      return keys;
    }
    const pending = this.ahead ?? this.fetch(this.cursor);
    this.ahead = undefined;
    const [cursor, keys] = await pending;
    if (epoch !== this.epoch) return [];
    this.cursor = cursor;
    if (cursor === '0') this.finished = true;
    else if (this.options.prefetch && this.reads++ > 0) this.ahead = quiet(this.fetch(cursor));
    return keys;
  }

  private scanArgs(cursor: string): (string | number)[] {
    const args: (string | number)[] = [cursor];
    if (this.options.match) args.push('MATCH', this.options.match);
    args.push('COUNT', this.count);
    if (this.options.type) args.push('TYPE', this.options.type);
    return args;
  }

  /** A cluster's keys are spread over its masters: each is scanned with the same MATCH, COUNT and TYPE. */
  private clusterScan(): ClusterKeyScan | undefined {
    if (!this.conn.isCluster) return undefined;
    this.clusterArgs = this.scanArgs('0').slice(1);
    return new ClusterKeyScan(this.conn, this.clusterArgs, asScanReplyBuffers, ReplicaChoice.of(this.conn, this.options.browsing));
  }

  private fetch(cursor: string): Promise<[string, Buffer[]]> {
    const args = this.scanArgs(cursor);
    // a read: none of run()'s noting of writes per page (a million keys are a thousand pages)
    return this.conn.read((c) => c.callBuffer('SCAN', ...args) as Promise<unknown>).then(asScanReplyBuffers);
  }

  /** Fetches pages until at least `min` keys arrived or the scan is done (a MATCH may give many empty pages). */
  async nextAtLeast(min: number, signal?: { cancelled: boolean }): Promise<Buffer[]> {
    const out: Buffer[] = [];
    while (!this.finished && out.length < min && !signal?.cancelled) out.push(...(await this.next()));
    return out;
  }

  reset(): void {
    this.cursor = '0';
    this.finished = false;
    this.started = false;
    this.ahead = undefined;
    this.reads = 0;
    this.epoch++;
    this.cluster = this.clusterScan();
  }

  get isStarted(): boolean {
    return this.started;
  }
}

interface HashPagerOptions {
  match?: string;
  count?: number;
  /** names only (HSCAN ... NOVALUES, Redis 7.4+ and Valkey 8: check `capabilities.hscanNoValues`); pages have no values */
  noValues?: boolean;
  /**
   * From the second page on, ask for the next page as soon as a page arrives, so the caller's work on
   * one page overlaps Redis's work on the next. The first page goes out alone: it is what the user
   * waits for, and a request ahead would compete with it for the CPU. For loops that read many pages;
   * costs one unread page when they stop.
   */
  prefetch?: boolean;
  /**
   * What a person browses (the tree, the hash editor's load): read from a replica when the connection asks
   * for it (`readFromReplicas`). Never for what decides a write or re-reads after a change: replicas lag.
   */
  browsing?: boolean;
}

interface FieldPage {
  fields: Buffer[];
  values: Buffer[];
}

/** HSCAN with a cursor, binary-safe: names and values arrive as Buffers. Never HGETALL. */
export class HashPager {
  private cursor = '0';
  private finished = false;
  private ahead: Promise<[Buffer, Buffer[]]> | undefined;
  private reads = 0;
  /** in a cluster: the scan pinned to the master that owns the hash */
  private readonly pinned: ClusterHashScan | undefined;

  constructor(
    private readonly conn: RedisConnection,
    readonly key: RedisKey,
    private readonly options: HashPagerOptions = {},
  ) {
    if (conn.isCluster) this.pinned = new ClusterHashScan(conn, key, ReplicaChoice.of(conn, options.browsing));
  }

  get done(): boolean {
    return this.finished;
  }

  async next(): Promise<FieldPage> {
    if (this.finished) return { fields: [], values: [] };
    const pending = this.ahead ?? this.fetch(this.cursor);
    this.ahead = undefined;
    const reply = await pending;
    const cursor = reply[0].toString();
    if (cursor !== '0' && this.options.prefetch && this.reads++ > 0) this.ahead = quiet(this.fetch(cursor));
    const flat = reply[1];
    this.cursor = cursor;
    if (cursor === '0') this.finished = true;
    if (this.options.noValues) return { fields: flat, values: [] };
    const fields: Buffer[] = new Array(flat.length >> 1);
    const values: Buffer[] = new Array(flat.length >> 1);
    for (let i = 0, j = 0; i < flat.length; i += 2, j++) {
      fields[j] = flat[i];
      values[j] = flat[i + 1];
    }
    return { fields, values };
  }

  private fetch(cursor: string): Promise<[Buffer, Buffer[]]> {
    const args: (string | number | Buffer)[] = [this.key, cursor];
    if (this.options.match) args.push('MATCH', this.options.match);
    args.push('COUNT', this.options.count ?? 500);
    if (this.options.noValues) args.push('NOVALUES');
    if (this.pinned) return this.pinned.fetch(cursor, args.slice(2));
    return this.conn.read((c) => c.hscanBuffer(...(args as [RedisKey, string])));
  }

  /** Fetches pages until at least `min` fields arrived or the scan is done. */
  async nextAtLeast(min: number): Promise<FieldPage> {
    const page: FieldPage = { fields: [], values: [] };
    while (!this.finished && page.fields.length < min) {
      const p = await this.next();
      page.fields.push(...p.fields);
      page.values.push(...p.values);
    }
    return page;
  }
}

/** How long one "page" for a person may keep scanning when a sparse MATCH or TYPE gives few items per call. */
const PAGE_TIME_BUDGET_MS = 1500;

/**
 * Reads pages from `source` until `take` has kept `min` items, the source is done, or `budgetMs` passed.
 * `take` returns how many items of a page it kept, or false to stop at once (e.g. the view was reset);
 * fillPage then resolves false. SCAN COUNT n gives about n, so a page asked with COUNT 2 * min is one round trip.
 */
export async function fillPage<T>(source: { next(): Promise<T>; readonly done: boolean }, min: number, take: (page: T) => number | false, budgetMs = PAGE_TIME_BUDGET_MS): Promise<boolean> {
  const started = Date.now();
  let kept = 0;
  do {
    const n = take(await source.next());
    if (n === false) return false;
    kept += n;
  } while (!source.done && kept < min && Date.now() - started < budgetMs);
  return true;
}

/** A request made ahead may never be read: keep its failure for the reader, never unhandled. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function asScanReplyBuffers(reply: unknown): [string, Buffer[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
    throw new Error('Unexpected SCAN reply');
  }
  const cursor = Buffer.isBuffer(reply[0]) ? reply[0].toString() : String(reply[0]);
  // In place: the reply array is ours, and a page is on the path to the first screen.
  const keys = reply[1] as unknown[];
  for (let i = 0; i < keys.length; i++) if (!Buffer.isBuffer(keys[i])) keys[i] = Buffer.from(String(keys[i]));
  return [cursor, keys as Buffer[]];
}

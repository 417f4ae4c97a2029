import type { RedisConnection } from './connection';

export type RedisKey = string | Buffer;

export interface KeyPagerOptions {
  match?: string;
  /** SCAN TYPE (Redis 6+), e.g. 'hash' */
  type?: string;
  count?: number;
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

  constructor(
    private readonly conn: RedisConnection,
    private readonly options: KeyPagerOptions = {},
  ) {}

  get done(): boolean {
    return this.finished;
  }

  async next(): Promise<Buffer[]> {
    if (this.finished) return [];
    this.started = true;
    const args: (string | number)[] = [this.cursor];
    if (this.options.match) args.push('MATCH', this.options.match);
    args.push('COUNT', this.options.count ?? 500);
    if (this.options.type) args.push('TYPE', this.options.type);
    const [cursor, keys] = await this.conn.run((c) => c.callBuffer('SCAN', ...args) as Promise<unknown>).then(asScanReplyBuffers);
    this.cursor = cursor;
    if (cursor === '0') this.finished = true;
    return keys;
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
  }

  get isStarted(): boolean {
    return this.started;
  }
}

export interface HashPagerOptions {
  match?: string;
  count?: number;
}

export interface FieldPage {
  fields: Buffer[];
  values: Buffer[];
}

/** HSCAN with a cursor, binary-safe: names and values arrive as Buffers. Never HGETALL. */
export class HashPager {
  private cursor = '0';
  private finished = false;

  constructor(
    private readonly conn: RedisConnection,
    readonly key: RedisKey,
    private readonly options: HashPagerOptions = {},
  ) {}

  get done(): boolean {
    return this.finished;
  }

  async next(): Promise<FieldPage> {
    if (this.finished) return { fields: [], values: [] };
    const args: (string | number | Buffer)[] = [this.key, this.cursor];
    if (this.options.match) args.push('MATCH', this.options.match);
    args.push('COUNT', this.options.count ?? 500);
    const reply = await this.conn.run((c) => c.hscanBuffer(...(args as [RedisKey, string])));
    const cursor = reply[0].toString();
    const flat = reply[1];
    const fields: Buffer[] = new Array(flat.length >> 1);
    const values: Buffer[] = new Array(flat.length >> 1);
    for (let i = 0, j = 0; i < flat.length; i += 2, j++) {
      fields[j] = flat[i];
      values[j] = flat[i + 1];
    }
    this.cursor = cursor;
    if (cursor === '0') this.finished = true;
    return { fields, values };
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

function asScanReplyBuffers(reply: unknown): [string, Buffer[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
    throw new Error('Unexpected SCAN reply');
  }
  const cursor = Buffer.isBuffer(reply[0]) ? reply[0].toString() : String(reply[0]);
  return [cursor, (reply[1] as unknown[]).map((k) => (Buffer.isBuffer(k) ? k : Buffer.from(String(k))))];
}

import { connect } from 'node:net';
import type { Socket } from 'node:net';

/*
 * Seeds the benchmark data by writing RESP straight to a socket, pipelined in big chunks:
 * as fast as `redis-cli --pipe`, with no extra process. Every command used here answers with a
 * one-line reply (+OK, :n or -ERR), so counting CRLFs counts replies and a line starting with
 * '-' is an error.
 */

export const SHAPES = {
  /** db 0: the big keyspace; half hashes, half strings, in several namespaces */
  keyspaceDb: 0,
  keyspaceKeys: 1_000_000,
  /** db 0 too: the 1,000,000-field hash, the 1,000 x 100 KB hash, a 10-field hash and the warm-up hash below */
  bigHash: 'bench:hash:1m',
  bigHashFields: 1_000_000,
  bigValues: 'bench:hash:bigvalues',
  bigValuesFields: 1_000,
  bigValueBytes: 100 * 1024,
  smallHash: 'bench:hash:10',
  smallHashFields: 10,
  /** db 0 too: 50,000 fields of the same shape, opened once before the memory figures (warm-up) */
  warmHash: 'bench:hash:warm',
  warmHashFields: 50_000,
  /** db 1: the small keyspace the workbench compares the big one with */
  smallDb: 1,
  smallKeys: 100,
} as const;

/** Field name and value of row i of the 1,000,000-field hash: a short name and a small JSON record. */
export function bigHashRow(i: number): [string, string] {
  return [`field:${i}`, `{"id":${i},"qty":${i % 97},"sku":"SKU-${(i * 7919) % 100000}"}`];
}

function bulk(s: string | Buffer): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

function command(args: string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += bulk(a);
  return out;
}

const REGIONS = ['eu', 'us', 'asia'];

/** Key i of a keyspace: kinds 0-4 are hashes, 5-9 strings, spread over namespaces (some two levels deep). */
export function keyspaceCommand(i: number): string {
  switch (i % 10) {
    case 0:
    case 1:
      return command(['HSET', `user:${i}`, 'name', `user ${i}`, 'email', `u${i}@example.com`, 'created', '2024-01-01']);
    case 2:
    case 3:
      return command(['HSET', `order:${REGIONS[i % 3]}:${i}`, 'user', `user:${i - 2}`, 'total', String(i % 1000), 'status', 'paid']);
    case 4:
      return command(['HSET', `product:${i}`, 'title', `product ${i}`, 'price', String(i % 500)]);
    case 5:
    case 6:
      return command(['SET', `session:${i}`, `token-${i.toString(16)}`]);
    case 7:
      return command(['SET', `cache:page:${i}`, `<p>page ${i}</p>`]);
    case 8:
      return command(['SET', `rate:${i}`, String(i % 60)]);
    default:
      return command(['SET', `event:${i}`, `{"t":${i}}`]);
  }
}

class Pipe {
  private replies = 0;
  private expected = 0;
  private error: string | undefined;
  private waiter: (() => void) | undefined;
  private tail = '';

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => {
      this.error = e.message;
      this.waiter?.();
    });
  }

  static open(port: number): Promise<Pipe> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new Pipe(s)));
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    const text = this.tail + d.toString('latin1');
    let from = 0;
    for (;;) {
      const at = text.indexOf('\r\n', from);
      if (at < 0) break;
      if (text.charCodeAt(from) === 45 /* '-' */ && !this.error) this.error = text.slice(from, at);
      this.replies++;
      from = at + 2;
    }
    this.tail = text.slice(from);
    if (this.replies >= this.expected || this.error) this.waiter?.();
  }

  /** Writes one chunk of commands, waiting for the socket to drain when its buffer is full. */
  async write(chunk: string, commands: number): Promise<void> {
    this.expected += commands;
    if (!this.socket.write(chunk)) await new Promise<void>((r) => this.socket.once('drain', () => r()));
    if (this.error) throw new Error(`seeding failed: ${this.error}`);
  }

  /** Resolves when every reply arrived. */
  async flush(): Promise<void> {
    while (this.replies < this.expected && !this.error) {
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = undefined;
    }
    if (this.error) throw new Error(`seeding failed: ${this.error}`);
  }

  close(): void {
    this.socket.end();
  }
}

/** Writes `n` commands made by `make(i)` in chunks of `per` commands. */
async function stream(pipe: Pipe, n: number, per: number, make: (i: number) => string): Promise<void> {
  for (let i = 0; i < n; i += per) {
    let chunk = '';
    const end = Math.min(n, i + per);
    for (let j = i; j < end; j++) chunk += make(j);
    await pipe.write(chunk, end - i);
  }
}

/** A 100 KB printable value; each differs in its first bytes so none is shared. */
function bigValue(i: number, bytes: number): string {
  const head = `blob ${i} `;
  const line = 'the quick brown fox jumps over the lazy dog 0123456789 ';
  return (head + line.repeat(Math.ceil(bytes / line.length))).slice(0, bytes);
}

/** A hash of `fields` rows made by bigHashRow(), 1,000 fields per HSET. */
function rowsHash(pipe: Pipe, key: string, fields: number): Promise<void> {
  const per = 1000;
  return stream(pipe, fields / per, 10, (b) => {
    const args = ['HSET', key];
    for (let i = b * per; i < (b + 1) * per; i++) args.push(...bigHashRow(i));
    return command(args);
  });
}

export async function seed(port: number): Promise<void> {
  const pipe = await Pipe.open(port);
  try {
    await pipe.write(command(['FLUSHALL']) + command(['SELECT', String(SHAPES.keyspaceDb)]), 2);
    await stream(pipe, SHAPES.keyspaceKeys, 20_000, keyspaceCommand);
    await rowsHash(pipe, SHAPES.bigHash, SHAPES.bigHashFields);
    await rowsHash(pipe, SHAPES.warmHash, SHAPES.warmHashFields);
    await stream(pipe, SHAPES.bigValuesFields, 20, (i) => command(['HSET', SHAPES.bigValues, `blob:${i}`, bigValue(i, SHAPES.bigValueBytes)]));
    const small = ['HSET', SHAPES.smallHash];
    for (let i = 0; i < SHAPES.smallHashFields; i++) small.push(`field:${i}`, `value ${i}`);
    await pipe.write(command(small), 1);
    await pipe.write(command(['SELECT', String(SHAPES.smallDb)]), 1);
    await stream(pipe, SHAPES.smallKeys, SHAPES.smallKeys, keyspaceCommand);
    await pipe.write(command(['SELECT', '0']), 1);
    await pipe.flush();
  } finally {
    pipe.close();
  }
}

/** Only the 1,000,000-field hash, in db 0 (the whole-hash figure on a second server). */
export async function seedBigHash(port: number): Promise<void> {
  const pipe = await Pipe.open(port);
  try {
    await pipe.write(command(['FLUSHALL']) + command(['SELECT', String(SHAPES.keyspaceDb)]), 2);
    await rowsHash(pipe, SHAPES.bigHash, SHAPES.bigHashFields);
    await pipe.flush();
  } finally {
    pipe.close();
  }
}

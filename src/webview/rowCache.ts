import type { RequestClient, RowDto } from '../shared/protocol';

/*
 * Rows by position, fetched in blocks for the current view version. `invalidate` keeps what is shown
 * (no flicker) but marks it stale, so the blocks on screen are asked for again.
 */

export const BLOCK = 100;
const MAX_BLOCKS = 60;

interface Block {
  rows: RowDto[];
  epoch: number;
  /** when the reply arrived (Date.now()): field TTLs count down from here */
  at: number;
}

export class RowCache {
  private blocks = new Map<number, Block>();
  private inFlight = new Map<number, number>();
  private version = -1;
  private epoch = 0;
  private length = 0;

  constructor(
    private readonly rpc: RequestClient,
    private readonly onRows: () => void,
    private readonly onError: (message: string) => void,
  ) {}

  /** A new view (positions changed): forget everything. */
  reset(version: number, length: number): void {
    if (version !== this.version) {
      this.version = version;
      this.blocks.clear();
      this.inFlight.clear();
    }
    this.setLength(length);
  }

  setLength(length: number): void {
    if (length === this.length) return;
    // a block that ended at the old length may have rows now
    for (const [b, block] of this.blocks) if (block.rows.length < BLOCK) this.blocks.delete(b);
    this.length = length;
  }

  /** Row contents changed: keep showing them, fetch again. */
  invalidate(): void {
    this.epoch++;
  }

  get(position: number): RowDto | undefined {
    const block = this.blocks.get(Math.floor(position / BLOCK));
    return block?.rows[position % BLOCK];
  }

  /** When the row at `position` was fetched (its `ttl` was the remaining time then); NaN when not held. */
  receivedAt(position: number): number {
    return this.blocks.get(Math.floor(position / BLOCK))?.at ?? NaN;
  }

  /** Rows that came without a request (with `init`): kept like a fetched block of this view version. */
  seed(version: number, start: number, rows: RowDto[]): void {
    if (version !== this.version || start % BLOCK !== 0 || rows.length > BLOCK) return;
    this.blocks.set(start / BLOCK, { rows, epoch: this.epoch, at: Date.now() });
  }

  /** Makes sure the rows of [start, end) are (being) fetched. */
  want(start: number, end: number): void {
    end = Math.min(end, this.length);
    for (let b = Math.floor(start / BLOCK); b * BLOCK < end; b++) {
      const block = this.blocks.get(b);
      if (block && block.epoch === this.epoch) continue;
      if (this.inFlight.get(b) === this.epoch) continue;
      this.fetch(b);
    }
  }

  private fetch(b: number): void {
    const version = this.version;
    const epoch = this.epoch;
    this.inFlight.set(b, epoch);
    this.rpc.request('rows', { version, start: b * BLOCK, count: BLOCK }).then(
      (r) => {
        if (this.inFlight.get(b) === epoch) this.inFlight.delete(b);
        if (!r || r.version !== this.version) return;
        this.blocks.delete(b);
        this.blocks.set(b, { rows: r.rows, epoch, at: Date.now() });
        if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
        this.onRows();
      },
      (err: Error) => {
        if (this.inFlight.get(b) === epoch) this.inFlight.delete(b);
        this.onError(err.message);
      },
    );
  }
}

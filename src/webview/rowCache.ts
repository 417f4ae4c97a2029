import type { RequestClient, RowDto } from '../shared/protocol';

/*
 * Rows by position, fetched in blocks for the current view version. `invalidate` keeps what is shown
 * (no flicker) but marks it stale, so the blocks on screen are asked for again.
 */

const BLOCK = 100;
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
    // a block that ended at the old length may have rows now: fetched again, its rows shown meanwhile
    // (dropping it put "…" on the rows at the end of the table each time rows arrived)
    for (const block of this.blocks.values()) if (block.rows.length < BLOCK) block.epoch = -1;
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

  /**
   * Rows that came without a request (with `init`, or around a row located after a re-sort): kept like fetched
   * blocks of this view version; only whole blocks, and a last one that ends the view.
   */
  seed(version: number, start: number, rows: RowDto[]): void {
    if (version !== this.version) return;
    const end = start + rows.length;
    for (let b = Math.ceil(start / BLOCK); b * BLOCK < end; b++) {
      const from = b * BLOCK;
      const to = Math.min(from + BLOCK, end);
      if (to - from === BLOCK || to === this.length) this.store(b, rows.slice(from - start, to - start), this.epoch);
    }
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

  private store(b: number, rows: RowDto[], epoch: number): void {
    this.blocks.delete(b);
    this.blocks.set(b, { rows, epoch, at: Date.now() });
    if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
  }

  private fetch(b: number): void {
    const version = this.version;
    const epoch = this.epoch;
    this.inFlight.set(b, epoch);
    this.rpc.request('rows', { version, start: b * BLOCK, count: BLOCK }).then(
      (r) => {
        if (this.inFlight.get(b) === epoch) this.inFlight.delete(b);
        if (!r || r.version !== this.version) return;
        this.store(b, r.rows, epoch);
        this.onRows();
      },
      (err: Error) => {
        if (this.inFlight.get(b) === epoch) this.inFlight.delete(b);
        this.onError(err.message);
      },
    );
  }
}

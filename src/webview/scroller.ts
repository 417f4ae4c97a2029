/*
 * The table's vertical position. Browsers cap an element's height, so past MAX_PX the spacer stays MAX_PX tall and
 * scrollTop is scaled to the offset in the whole list. That offset (`top`) is kept here, not derived from scrollTop
 * on each frame: rows arriving during a load change the scale, and an offset derived from an unchanged scrollTop
 * would move every row on screen (past about 333,000 rows the table drifted as a load went on). Instead scrollTop
 * is set to match the kept offset; only a scroll the user made moves it.
 */

const MAX_PX = 8_000_000;

export class VerticalScroll {
  private top = 0;
  private length = 0;
  /** scrollTop as this code last set or saw it: a scroll event with another value is the user's */
  private known = 0;

  constructor(
    private readonly body: HTMLElement,
    private readonly spacer: HTMLElement,
    private readonly rowHeight: number,
  ) {}

  /** The offset of the top of the screen in the whole list, in px. */
  get offset(): number {
    return this.top;
  }

  /** The rows changed in number: the spacer follows, and the rows on screen stay where they are. */
  setLength(length: number): void {
    this.length = length;
    this.spacer.style.height = `${Math.min(length * this.rowHeight, MAX_PX)}px`;
    this.scrollTo(this.top);
  }

  /** A scroll event: the user's scroll moves the offset; one this code made (or a repeat) does not. */
  onScroll(): void {
    const st = this.body.scrollTop;
    if (st === this.known) return;
    this.known = st;
    this.top = this.clamp(st * this.scale());
  }

  /** Puts `offset` at the top of the screen (clamped to the list). */
  scrollTo(offset: number): void {
    this.top = this.clamp(offset);
    const want = this.top / this.scale();
    if (Math.abs(this.body.scrollTop - want) >= 0.5) this.body.scrollTop = want;
    this.known = this.body.scrollTop;
  }

  /** The screen changed in height: same offset, another scale. */
  resized(): void {
    this.scrollTo(this.top);
  }

  /** Offset per scrollTop px: 1 below the cap, more above it (the last screen of both ends together). */
  private scale(): number {
    const vh = this.body.clientHeight;
    const real = this.length * this.rowHeight;
    const virt = Math.min(real, MAX_PX);
    return real === virt || virt <= vh ? 1 : (real - vh) / (virt - vh);
  }

  private clamp(offset: number): number {
    return Math.max(0, Math.min(offset, this.length * this.rowHeight - this.body.clientHeight));
  }
}

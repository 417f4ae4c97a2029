import type { RedisConnection } from '../core/connection';
import { toExplorerError } from '../core/errors';
import { log } from '../log';
import type { TreeContext } from './context';
import { loadKeyPage } from './loading';
import type { ConnectionNode } from './nodes';

/*
 * A connection's key scan as the view shows it: the first keys as soon as the scan meets them, then the
 * scan going on in the background with a row that shows its progress and stops it, the keys it finds
 * appearing as they come. Refreshes are spaced out (the progress row alone when only progress moved), so a
 * scan over millions of keys costs the view a few refreshes a second, not one per SCAN.
 */

/** At most one refresh of a scanning connection per this many ms (VS Code coalesces a tree's refreshes over 200 ms anyway). */
const SCAN_REFRESH_MS = 250;

class ScanRefresh {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private keys = false;
  private progress = false;

  constructor(
    private readonly tree: TreeContext,
    private readonly node: ConnectionNode,
  ) {}

  keysCame(): void {
    this.keys = true;
    this.schedule();
  }

  progressed(): void {
    this.progress = true;
    this.schedule();
  }

  /** The scan paused or ended: the connection now, its progress row gives way to "Load more…" or nothing. */
  now(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const unshown = this.keys;
    this.keys = this.progress = false;
    this.last = Date.now();
    // Nothing on screen says "scanning" and no keys wait: a refresh would only fetch the same rows again, and
    // while VS Code does, a click on one of them (an inline action) reaches the command without its row.
    const s = this.node.session;
    if (!unshown && !s.shownWhileScanning) return;
    s.shownWhileScanning = false;
    this.tree.fire(this.node);
  }

  private schedule(): void {
    if (this.timer) return;
    // the first keys after a quiet spell go out at once (leading edge), later ones wait their turn
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.last + SCAN_REFRESH_MS - Date.now()));
  }

  private flush(): void {
    this.timer = undefined;
    this.last = Date.now();
    const { keys, progress } = this;
    this.keys = this.progress = false;
    // New keys may add folders to the connection; progress alone changes one row, once it is shown (a refresh
    // of a row not shown yet still opens VS Code's 200 ms window that holds back the next, the first keys' one).
    const s = this.node.session;
    if (keys) this.tree.fire(this.node);
    else if (progress && s.started && s.scan?.running) this.tree.fire(this.node.scanning);
  }
}

/**
 * Runs the connection's scan for a page of keys. `untilFirst`: resolves as soon as the first keys are in
 * (the scan goes on in the background; its failure then shows on the "Load more…" row and in the log),
 * else when the scan pauses. Marks the session started either way.
 */
export function scanKeys(tree: TreeContext, node: ConnectionNode, conn: RedisConnection, untilFirst: boolean): Promise<void> {
  const s = node.session;
  const epoch = s.epoch;
  const refresh = new ScanRefresh(tree, node);
  let first: (() => void) | undefined;
  const firstKeys = new Promise<void>((resolve) => (first = resolve));
  s.scanFailure = undefined;
  const run = loadKeyPage(s, conn, tree.settings(), tree.filterOf(node.name), tree.scansByType(node.name), {
    keys: () => {
      if (s.started) return refresh.keysCame();
      s.started = true;
      first?.();
    },
    progress: () => refresh.progressed(),
  });
  const settled = run.then(
    () => {
      if (epoch !== s.epoch) return;
      s.started = true;
      refresh.now();
    },
    (err: unknown) => {
      if (epoch !== s.epoch) return;
      const message = toExplorerError(err).message;
      if (!s.started) throw err;
      // after the first keys: they stay, and "Load more…" tries again from where the scan was
      log.warn(`${node.name}: the key scan stopped: ${message}`);
      s.scanFailure = message;
      refresh.now();
    },
  );
  if (!untilFirst) {
    // the caller gets the failure from `run` itself
    settled.catch(() => undefined);
    return run;
  }
  // A scan that ends with its first page (a small keyspace) settles right after its first keys: the rows are
  // then built final, with no progress row to take away by a refresh a moment later.
  return Promise.race([firstKeys.then(() => new Promise<void>((resolve) => setImmediate(resolve))), settled]);
}

/** Stops a connection's running scan after its request in flight; resolves once it has. False when none ran. */
export async function stopScan(tree: TreeContext, node: ConnectionNode): Promise<boolean> {
  const s = node.session;
  if (!s.scan?.running) return false;
  s.scan.stop();
  s.stopped = true;
  await s.loading?.catch(() => undefined);
  tree.fire(node);
  return true;
}

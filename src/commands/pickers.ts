import * as vscode from 'vscode';
import type { RedisConnection } from '../core/connection';
import { preview } from '../core/codec';
import { escapeGlob } from '../core/glob';
import { KeyScan } from '../core/keyScan';
import { HashPager } from '../core/pagers';
import { toExplorerError } from '../core/errors';
import { log } from '../log';
import { bytesLabel, scanProgressText } from '../tree/labels';

/*
 * QuickPicks over SCAN / HSCAN pages: names show as each page brings them (the picker busy meanwhile), the
 * scan pauses after a page's worth and "Load more…" continues it, closing the picker stops it, typing
 * restarts it with MATCH *text*, and the typed text itself can be taken as the name (an exact key or field
 * that was not paged in yet). Never the whole keyspace, never HGETALL.
 */

interface Item extends vscode.QuickPickItem {
  value?: Buffer;
  action?: 'more' | 'typed' | 'stop';
}

interface Page {
  names: Buffer[];
  details?: Buffer[];
}

interface Source {
  /** Pages until `want` names were kept, the end, or `stop()`; each page goes to `take` as it arrives. */
  run(want: number, take: (page: Page) => number | false): Promise<void>;
  /** stops after the request in flight */
  stop(): void;
  readonly done: boolean;
  /** how far the scan got ("scanned 120,000 of about 1,000,000 keys") */
  progress?(): string;
}

const PAGE = 200;

export function pickKey(conn: RedisConnection, options: { hashesOnly: boolean; title: string }): Promise<Buffer | undefined> {
  return scanPick(options.title, 'Type to search keys (SCAN MATCH), or enter a key name', (text) => {
    let take: (page: Page) => number | false = () => 0;
    const scan = new KeyScan(conn, { match: text ? `*${escapeGlob(text)}*` : undefined, type: options.hashesOnly ? 'hash' : undefined, count: 500 }, (names) => take({ names }));
    return {
      run: (want, t) => {
        take = t;
        return scan.run(want);
      },
      stop: () => scan.stop(),
      get done() {
        return scan.done;
      },
      progress: () => scanProgressText(scan.progress()),
    };
  });
}

/** `noValues`: the server has HSCAN NOVALUES; names come without values (no value previews, no big replies). */
export function pickField(conn: RedisConnection, key: Buffer, options: { title: string; noValues?: boolean }): Promise<Buffer | undefined> {
  return scanPick(options.title, 'Type to search fields (HSCAN MATCH), or enter a field name', (text) => {
    const pager = new HashPager(conn, key, { match: text ? `*${escapeGlob(text)}*` : undefined, count: 500, noValues: options.noValues });
    let stopped = false;
    return {
      run: async (want, take) => {
        stopped = false;
        let kept = 0;
        while (!pager.done && !stopped && kept < want) {
          const p = await pager.next();
          const n = take({ names: p.fields, details: options.noValues ? undefined : p.values });
          if (n === false) return;
          kept += n;
        }
      },
      stop: () => {
        stopped = true;
      },
      get done() {
        return pager.done;
      },
    };
  });
}

function scanPick(title: string, placeholder: string, open: (text: string) => Source): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = title;
    qp.placeholder = placeholder;
    qp.ignoreFocusOut = true;
    let source = open('');
    let names: Item[] = [];
    let seen = new Set<string>();
    let generation = 0;
    let running = false;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    const render = () => {
      const text = qp.value;
      const items = [...names];
      if (text && !names.some((i) => i.label === text)) {
        items.push({ label: `$(edit) Use "${text}"`, alwaysShow: true, action: 'typed' });
      }
      const progress = source.progress?.();
      if (running) items.push({ label: '$(debug-stop) Stop scanning', description: [`${names.length} so far`, progress].filter(Boolean).join(' · '), alwaysShow: true, action: 'stop' });
      else if (!source.done) items.push({ label: '$(ellipsis) Load more…', description: [`${names.length} so far`, progress].filter(Boolean).join(' · '), alwaysShow: true, action: 'more' });
      qp.items = items;
    };

    const loadPage = async () => {
      const g = generation;
      if (running) return;
      running = true;
      qp.busy = true;
      render();
      try {
        await source.run(PAGE, (page) => {
          if (g !== generation) return false;
          let added = 0;
          page.names.forEach((n, i) => {
            const id = n.toString('latin1');
            if (seen.has(id)) return;
            seen.add(id);
            names.push({ label: bytesLabel(n, 200), description: page.details ? preview(page.details[i], 60) : undefined, value: n });
            added++;
          });
          // what each page brings shows at once (a rare key among millions should not wait for a page's worth)
          if (added) render();
          return added;
        });
      } catch (err) {
        if (g !== generation) return;
        const e = toExplorerError(err);
        log.error(`${title}: ${e.message}`);
        qp.hide();
        void vscode.window.showErrorMessage(e.message);
      } finally {
        if (g === generation) {
          running = false;
          qp.busy = false;
          if (!settled) render();
        }
      }
    };

    const restart = () => {
      generation++;
      source.stop();
      running = false;
      source = open(qp.value);
      names = [];
      seen = new Set();
      void loadPage();
    };

    const finish = (value: Buffer | undefined) => {
      if (settled) return;
      settled = true;
      generation++;
      // closing the picker ends its scan: nothing more is sent
      source.stop();
      if (timer) clearTimeout(timer);
      resolve(value);
      qp.dispose();
    };

    qp.onDidChangeValue(() => {
      render();
      if (timer) clearTimeout(timer);
      timer = setTimeout(restart, 250);
    });
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (!item) {
        if (qp.value) finish(Buffer.from(qp.value, 'utf8'));
        return;
      }
      if (item.action === 'more') return void loadPage();
      if (item.action === 'stop') return source.stop();
      if (item.action === 'typed') return finish(Buffer.from(qp.value, 'utf8'));
      finish(item.value);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
    void loadPage();
  });
}

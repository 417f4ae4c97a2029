import * as vscode from 'vscode';
import type { RedisConnection } from '../core/connection';
import { preview } from '../core/codec';
import { escapeGlob } from '../core/glob';
import { HashPager, KeyPager, fillPage } from '../core/pagers';
import { toExplorerError } from '../core/errors';
import { log } from '../log';
import { bytesLabel } from '../tree/labels';

/*
 * QuickPicks over SCAN / HSCAN pages: the first page shows at once, "Load more…" fetches the next,
 * typing restarts the scan with MATCH *text*, and the typed text itself can be taken as the name
 * (an exact key or field that was not paged in yet). Never the whole keyspace, never HGETALL.
 */

interface Item extends vscode.QuickPickItem {
  value?: Buffer;
  action?: 'more' | 'typed';
}

interface Source {
  next(): Promise<{ names: Buffer[]; details?: Buffer[] }>;
  readonly done: boolean;
}

const PAGE = 200;

export function pickKey(conn: RedisConnection, options: { hashesOnly: boolean; title: string }): Promise<Buffer | undefined> {
  return scanPick(options.title, 'Type to search keys (SCAN MATCH), or enter a key name', (text) => {
    const pager = new KeyPager(conn, { match: text ? `*${escapeGlob(text)}*` : undefined, type: options.hashesOnly ? 'hash' : undefined, count: 500 });
    return { next: async () => ({ names: await pager.next() }), get done() { return pager.done; } };
  });
}

/** `noValues`: the server has HSCAN NOVALUES; names come without values (no value previews, no big replies). */
export function pickField(conn: RedisConnection, key: Buffer, options: { title: string; noValues?: boolean }): Promise<Buffer | undefined> {
  return scanPick(options.title, 'Type to search fields (HSCAN MATCH), or enter a field name', (text) => {
    const pager = new HashPager(conn, key, { match: text ? `*${escapeGlob(text)}*` : undefined, count: 500, noValues: options.noValues });
    return {
      next: async () => {
        const p = await pager.next();
        return { names: p.fields, details: options.noValues ? undefined : p.values };
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
    let timer: NodeJS.Timeout | undefined;
    let settled = false;

    const render = () => {
      const text = qp.value;
      const items = [...names];
      if (text && !names.some((i) => i.label === text)) {
        items.push({ label: `$(edit) Use "${text}"`, alwaysShow: true, action: 'typed' });
      }
      if (!source.done) items.push({ label: '$(ellipsis) Load more…', description: `${names.length} so far`, alwaysShow: true, action: 'more' });
      qp.items = items;
    };

    const loadPage = async () => {
      const g = generation;
      qp.busy = true;
      try {
        const current = await fillPage(source, PAGE, (page) => {
          if (g !== generation) return false;
          let added = 0;
          page.names.forEach((n, i) => {
            const id = n.toString('latin1');
            if (seen.has(id)) return;
            seen.add(id);
            names.push({ label: bytesLabel(n, 200), description: page.details ? preview(page.details[i], 60) : undefined, value: n });
            added++;
          });
          return added;
        });
        if (!current) return;
        render();
      } catch (err) {
        const e = toExplorerError(err);
        log.error(`${title}: ${e.message}`);
        qp.hide();
        void vscode.window.showErrorMessage(e.message);
      } finally {
        if (g === generation) qp.busy = false;
      }
    };

    const restart = () => {
      generation++;
      source = open(qp.value);
      names = [];
      seen = new Set();
      void loadPage();
    };

    const finish = (value: Buffer | undefined) => {
      if (settled) return;
      settled = true;
      generation++;
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
      if (item.action === 'typed') return finish(Buffer.from(qp.value, 'utf8'));
      finish(item.value);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
    void loadPage();
  });
}

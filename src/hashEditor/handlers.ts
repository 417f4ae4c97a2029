import * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import { fieldTtlUnsupported } from '../core/serverInfo';
import type { Handlers } from '../shared/protocol';
import { addRowTtls, sortByTtl } from '../core/fieldTtlTable';
import type { EditorHost } from './host';
import { displayOf } from '../core/display';
import { liveAction } from './liveRequests';
import { bulkHandlers } from './bulk';
import { looksLikeJson } from '../shared/format';

/** What each webview request does. Messages are validated before they get here (validate.ts). */
export function requestHandlers(p: EditorHost): Handlers {
  const s = p.session;
  const e = p.edits;
  /** Whatever a write did (or a conflict or failure put into the store), the rows on screen show it next. */
  const withRowsRefreshed = <T>(work: Promise<T>): Promise<T> =>
    work.finally(() => {
      s.emitStatus(true);
      p.postEvent({ type: 'invalidate' });
    });
  /** Field TTL requests on a server without them are refused here: no TTL command is ever sent there. */
  const needFieldTtls = (): void => {
    if (p.header?.fieldTtl) return;
    throw new RedisExplorerError('INVALID', fieldTtlUnsupported(p.serverInfo()));
  };
  const rows: Handlers['rows'] = async ({ version, start, count }) => {
    if (version !== s.version) return null;
    const out = s.rows(start, count);
    p.live.visible(start, count);
    if (p.header?.fieldTtl) await addRowTtls(s, out);
    await p.decoding.decorate(out);
    return { version, start, rows: out };
  };
  return {
    rows,
    async locate({ gen, id, span }) {
      // the status and the rows of one view version (rows() reads them before its first await)
      const status = s.status();
      const position = gen === s.gen && id < s.store.rowCount ? s.positionOf(id) : -1;
      const start = Math.max(0, position - span);
      const around = position >= 0 ? await rows({ version: s.version, start, count: position + span - start }) : null;
      return { status, position, rows: around };
    },
    async query({ match, filter, sort }) {
      const byTtl = sort?.by === 'ttl';
      if (byTtl) needFieldTtls();
      s.ttls.cancel();
      if (match !== s.match) {
        s.filter = filter;
        s.sort = sort;
        await s.start(match);
      } else {
        s.setQuery(filter, sort);
      }
      s.emitStatus(true);
      // sorted at once by the TTLs known (the rest last), then again once the loaded rows' TTLs are read
      if (byTtl) await sortByTtl(s);
      return s.status();
    },
    async load({ action }) {
      if (action === 'stop') {
        s.stopLoop();
        await s.loaded();
      } else if (action === 'resume') {
        await s.resume();
      } else {
        await p.start();
      }
      s.emitStatus(true);
      return s.status();
    },
    lookup: ({ field }) => withRowsRefreshed(e.lookup(field)),
    detail: ({ gen, id, full }) => withRowsRefreshed(e.detail(gen, id, full)),
    edit: ({ gen, id, value }) => withRowsRefreshed(e.edit(gen, id, value)),
    resolve: ({ token, value }) => withRowsRefreshed(e.resolve(token, value)),
    add: ({ field, value, ttl }) => {
      if (ttl !== undefined && ttl > 0) needFieldTtls();
      return withRowsRefreshed(e.add(field, value, ttl ?? 0));
    },
    rename: ({ gen, id, newName }) => withRowsRefreshed(e.rename(gen, id, newName)),
    delete: ({ gen, ids }) => withRowsRefreshed(e.delete(gen, ids, (names) => p.confirmDelete(names))),
    async copy({ gen, ids, what }) {
      const parts: Array<{ name: string; value: string }> = [];
      for (const id of ids) {
        const row = s.liveRow(gen, id);
        const name = displayOf(Buffer.from(s.store.fieldAt(row)), false).text;
        const raw = what === 'name' ? Buffer.alloc(0) : await e.fullValue(gen, row);
        const value =
          what === 'name'
            ? ''
            : what === 'base64'
              ? raw.toString('base64')
              : what === 'decoded'
                ? await p.decoding.decodedText(Buffer.from(s.store.fieldAt(row)), raw)
                : displayOf(raw, false).text;
        parts.push({ name, value });
      }
      const text =
        what === 'name'
          ? parts.map((x) => x.name).join('\n')
          : what !== 'row'
            ? parts.map((x) => x.value).join('\n')
            : JSON.stringify(Object.fromEntries(parts.map((x) => [x.name, x.value])), null, 2);
      await vscode.env.clipboard.writeText(text);
      return { copied: parts.length };
    },
    async openValue({ gen, id }) {
      const value = displayOf(await e.fullValue(gen, id), false);
      const language = value.utf8 && looksLikeJson(value.text) ? 'json' : 'plaintext';
      const doc = await vscode.workspace.openTextDocument({ content: value.text, language });
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      return null;
    },
    async decode({ gen, id, decoder }) {
      const raw = await e.fullValue(gen, id);
      const value = await p.decoding.pane(gen, id, raw, decoder, p.header?.readOnly !== false);
      if (p.header?.fieldTtl) {
        const [row] = s.rows(s.positionOf(id), 1);
        if (row && row.id === id) {
          await addRowTtls(s, [row]);
          value.ttl = row.ttl;
        }
      }
      if (decoder !== undefined) p.postEvent({ type: 'invalidate' });
      return value;
    },
    saveDecoded: ({ token, text }) => withRowsRefreshed(p.decoding.save(token, text, (field, expected, next) => e.writeBytes(field, expected, next))),
    async editing({ gen, id }) {
      p.live.editing(gen === s.gen ? id : null);
      return null;
    },
    live: ({ action }) => liveAction(p, action),
    ...bulkHandlers(p),
    setFieldTtl: ({ gen, id, ttl }) => {
      needFieldTtls();
      return withRowsRefreshed(e.setFieldTtl(gen, id, ttl));
    },
    async setTtl({ ttl }) {
      const r = await e.setTtl(ttl);
      p.keyChanged();
      await p.refreshHeader(false);
      return r;
    },
  };
}

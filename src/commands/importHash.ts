import * as vscode from 'vscode';
import { nameForMessage, preview as previewText } from '../core/codec';
import { RedisExplorerError } from '../core/errors';
import type { ChunkSource, ImportFormat } from '../core/importFormats';
import { IMPORT_FORMATS, textSource } from '../core/importFormats';
import type { ImportPolicy, ImportReport } from '../core/importing';
import { applyImport, describeReport, IMPORT_POLICIES, previewImport } from '../core/importing';
import { log } from '../log';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { client, keyTarget } from './resolve';
import { required } from './target';
import { count, pickImportFormat, scriptedFormat, scriptedUri, sourceOf, withProgress } from './transferSupport';

const ID = 'redisHashExplorer.importHash';

/** Overwriting more existing fields than this asks the user to type the key's name. */
const TYPED_CONFIRM_OVER = 1000;

const POLICY_BUTTONS: Record<string, ImportPolicy> = { 'Skip Existing': 'skip', Overwrite: 'overwrite', 'Compare-and-Set': 'compareAndSet' };

/**
 * Imports fields into a hash from JSON, NDJSON or CSV (a file, or the clipboard from the palette).
 * The whole input is read and checked first (bad input writes nothing); a person then sees a preview
 * (count, first rows, fields that exist) and picks a policy. Scripted:
 * `{ connection, db?, key, path, format?, policy? }` (policy: skip, the default, overwrite or compareAndSet)
 * resolves with the report, and rejects when the import stopped before the end.
 */
export const importHash: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Import into Hash', true);
    const conn = await client(services, t);
    // A read-only connection is refused before any file is asked for or read.
    conn.assertWritable();
    let source: ChunkSource;
    let format: ImportFormat;
    let policy: ImportPolicy | undefined;
    let from: string;
    if (t.plain) {
      const uri = scriptedUri(required(t.plain, 'path', ID));
      format = scriptedFormat(t.plain.format, uri, IMPORT_FORMATS, ID);
      const p = t.plain.policy ?? 'skip';
      if (!(IMPORT_POLICIES as readonly string[]).includes(p)) throw new RedisExplorerError('INVALID', `"policy" must be one of ${IMPORT_POLICIES.join(', ')}, not "${p}"; nothing was done.`);
      policy = p as ImportPolicy;
      source = sourceOf(uri);
      from = uri.fsPath;
    } else {
      const where = orCancel(await services.prompts.pick([{ label: 'File…' }, { label: 'Clipboard' }], { title: `Import into "${nameForMessage(t.key)}" from` }));
      if (where.label === 'Clipboard') {
        const text = await vscode.env.clipboard.readText();
        if (!text) throw new RedisExplorerError('INVALID', 'The clipboard holds no text; nothing was imported.');
        format = await pickImportFormat(services.prompts, `Format of the clipboard's text`);
        source = textSource(text);
        from = 'the clipboard';
      } else {
        const uri = orCancel(await services.prompts.openFile({ title: `Import into "${nameForMessage(t.key)}"`, filters: { 'JSON, NDJSON, CSV': ['json', 'ndjson', 'jsonl', 'csv'], 'All files': ['*'] } }));
        format = await pickImportFormat(services.prompts, `Format of ${uri.path.split('/').pop() ?? 'the file'}`, uri);
        source = sourceOf(uri);
        from = uri.scheme === 'file' ? uri.fsPath : uri.toString();
      }
    }
    const prefix = (e: unknown) => (e instanceof RedisExplorerError && e.code === 'INVALID' ? new RedisExplorerError('INVALID', `Cannot import ${from}: ${e.message}`, e) : e);
    const preview = await withProgress(services.prompts, t.scripted, `Reading ${from}`, (signal, report) =>
      previewImport(conn, t.key, source, format, { conflicts: !t.scripted, snapshot: !t.scripted || policy === 'compareAndSet' }, { signal, onProgress: (n) => report(`${count(n, 'field')} read`) }),
    ).catch((e: unknown) => {
      throw prefix(e);
    });
    if (preview.cancelled) return undefined;
    if (!policy) {
      if (preview.rows === 0) throw new RedisExplorerError('INVALID', `${from} holds no fields; nothing was imported.`);
      const rows = preview.first.map((r) => `${previewText(r.field, 40)} = ${previewText(r.value, 60)}${r.ttl > 0 ? ` (TTL ${r.ttl} s)` : ''}`);
      const conflicts = preview.conflicts ?? 0;
      const detail = `${rows.join('\n')}${preview.rows > rows.length ? '\n…' : ''}\n\n${conflicts ? `${count(conflicts, 'field')} of them exist in the hash already.` : 'None of them exists in the hash yet.'}`;
      const buttons = conflicts ? Object.keys(POLICY_BUTTONS) : ['Import'];
      const answer = await services.prompts.ask(`Import ${count(preview.rows, 'field')} into "${nameForMessage(t.key)}" (${conn.where})?`, detail, ...buttons);
      if (!answer) return undefined;
      policy = POLICY_BUTTONS[answer] ?? 'skip';
      if (policy !== 'skip' && conflicts > TYPED_CONFIRM_OVER) {
        const name = nameForMessage(t.key);
        const typed = await services.prompts.input({ title: `Overwrite up to ${count(conflicts, 'field')}`, prompt: `Type the key's name, "${name}", to overwrite its existing fields`, validateInput: (v) => (v === name ? undefined : 'Type the key name exactly') });
        if (typed !== name) return undefined;
      }
    }
    const chosen = policy;
    const report: ImportReport = await withProgress(services.prompts, t.scripted, `Importing into "${nameForMessage(t.key)}"`, (signal, progress) =>
      applyImport(conn, t.key, source, format, chosen, preview, { signal, onProgress: (n) => progress(`${count(n, 'field')} of ${preview.rows.toLocaleString('en-US')}`) }),
    ).catch((e: unknown) => {
      throw prefix(e);
    });
    services.changes.fire({ kind: preview.keyExists ? 'key' : 'keyAdded', connection: t.connection, db: t.db, key: t.key });
    const message = describeReport(report, t.key, conn.where);
    if (report.failedCount) log.info(`${ID}: ${message}\n${report.failed.map((f) => `  ${previewText(f.field, 200)}: ${f.why}`).join('\n')}`);
    if (t.scripted) {
      if (report.stopped) throw new RedisExplorerError('UNKNOWN', message);
      return { added: report.added, overwritten: report.overwritten, skipped: report.skipped, failedCount: report.failedCount, failed: report.failed.map((f) => ({ field: f.field.toString('utf8'), why: f.why })) };
    }
    if (report.stopped) void vscode.window.showWarningMessage(message);
    else services.prompts.inform(message);
    return undefined;
  },
};

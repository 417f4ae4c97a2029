import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import type { ExportFormat } from '../core/exportFormats';
import { EXPORT_FORMATS, formatExtension } from '../core/exportFormats';
import type { ExportResult, Sink } from '../core/exporting';
import { FileSink, TextSink } from '../core/exporting';
import type { ChunkSource, ImportFormat } from '../core/importFormats';
import { fileSource, formatOfName, IMPORT_FORMATS } from '../core/importFormats';
import type { TreeNode } from '../tree/nodes';
import { orCancel } from './cancel';
import type { ConnTarget } from './resolve';
import { asNode, connectionTarget } from './resolve';
import type { BaseServices } from '../services';
import { required } from './target';
import type { PromptLayer } from './prompts';

/* What the export, import and folder commands share: files, formats, folders and progress. */

const FORMAT_LABELS: Record<ExportFormat, string> = {
  json: 'JSON — one object { "field": "value" }',
  ndjson: 'NDJSON — one JSON object per line',
  csv: 'CSV — field,value,ttl,encoding',
  redis: 'Redis commands — HSET lines redis-cli can replay',
};

/** A scripted `path`: an absolute file path (or a file: URI). */
export function scriptedUri(path: string): vscode.Uri {
  if (path.startsWith('file:')) return vscode.Uri.parse(path, true);
  if (!isAbsolute(path)) throw new RedisExplorerError('INVALID', `"path" must be an absolute file path, not "${path}"; nothing was done.`);
  return vscode.Uri.file(path);
}

/** The scripted format, or the one the file name says; refuses what the command cannot read or write. */
export function scriptedFormat<F extends string>(format: string | undefined, uri: vscode.Uri, allowed: readonly F[], commandId: string): F {
  const f = format ?? (formatOfName(uri.path) as string | undefined) ?? (/\.redis$/i.test(uri.path) ? 'redis' : undefined);
  if (f === undefined) throw new RedisExplorerError('INVALID', `${commandId} needs "format" (${allowed.join(', ')}): the file name does not say which; nothing was done.`);
  if (!(allowed as readonly string[]).includes(f)) throw new RedisExplorerError('INVALID', `"format" must be one of ${allowed.join(', ')}, not "${f}"; nothing was done.`);
  return f as F;
}

export async function pickExportFormat(prompts: PromptLayer, title: string): Promise<ExportFormat> {
  const picked = await prompts.pick(
    EXPORT_FORMATS.map((f) => ({ label: f, description: FORMAT_LABELS[f] })),
    { title, placeHolder: 'Format' },
  );
  return orCancel(picked).label as ExportFormat;
}

export async function pickImportFormat(prompts: PromptLayer, title: string, uri?: vscode.Uri): Promise<ImportFormat> {
  const known = uri ? formatOfName(uri.path) : undefined;
  if (known) return known;
  const picked = await prompts.pick(
    IMPORT_FORMATS.map((f) => ({ label: f, description: FORMAT_LABELS[f] })),
    { title, placeHolder: 'Format of the input' },
  );
  return orCancel(picked).label as ImportFormat;
}

export async function saveTarget(prompts: PromptLayer, title: string, name: string, format: ExportFormat): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const file = `${name.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'export'}.${formatExtension(format)}`;
  return orCancel(await prompts.saveFile({ title, defaultUri: folder ? vscode.Uri.joinPath(folder, file) : undefined, filters: { [format.toUpperCase()]: [formatExtension(format)] } }));
}

/**
 * Runs an export into a file. A file: URI is written as a stream through a temporary file renamed into
 * place at the end; another file system (a virtual workspace) gets the text in one write at the end,
 * as VS Code's file system API cannot append. A cancelled or failed export leaves no file.
 */
export async function exportToUri(uri: vscode.Uri, run: (sink: Sink) => Promise<ExportResult>): Promise<ExportResult> {
  if (uri.scheme === 'file') {
    const sink = new FileSink(uri.fsPath);
    try {
      const r = await run(sink);
      if (r.cancelled) await sink.discard();
      else await sink.commit();
      return r;
    } catch (err) {
      await sink.discard();
      throw err;
    }
  }
  const sink = new TextSink();
  const r = await run(sink);
  if (!r.cancelled) await vscode.workspace.fs.writeFile(uri, Buffer.from(sink.text(), 'utf8'));
  return r;
}

/** An import's input: a local file as a stream (see fileSource), anything else read whole. */
export function sourceOf(uri: vscode.Uri): ChunkSource {
  if (uri.scheme === 'file') return fileSource(uri.fsPath);
  return async function* () {
    yield Buffer.from(await vscode.workspace.fs.readFile(uri));
  };
}

/** Runs `task` under a notification with Cancel; a scripted call shows none and cannot be cancelled. */
export function withProgress<T>(prompts: PromptLayer, scripted: boolean, title: string, task: (signal: AbortSignal | undefined, report: (message: string) => void) => Promise<T>): Promise<T> {
  if (scripted) return task(undefined, () => undefined);
  return prompts.progress(title, (signal, report) => task(signal, report ?? (() => undefined)));
}

interface FolderTarget extends ConnTarget {
  prefix: Buffer;
  node?: TreeNode;
}

/** A folder: a folder node, a scripted `prefix`, or typed in the palette. */
export async function folderTarget(services: BaseServices, arg: unknown, commandId: string, title: string): Promise<FolderTarget> {
  const node = asNode(arg);
  if (node?.kind === 'folder') return { connection: node.conn.name, db: node.conn.session.db, scripted: false, prefix: Buffer.from(node.path, 'latin1'), node };
  const t = await connectionTarget(services, arg, title);
  const text = t.plain
    ? required(t.plain, 'prefix', commandId)
    : orCancel(await services.prompts.input({ title, prompt: 'Key prefix of the folder, separator included (e.g. "user:")', validateInput: (v) => (v ? undefined : 'A prefix is needed') }));
  if (text === '') throw new RedisExplorerError('INVALID', `${commandId} needs a non-empty "prefix"; nothing was done.`);
  return { ...t, prefix: Buffer.from(text, 'utf8') };
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

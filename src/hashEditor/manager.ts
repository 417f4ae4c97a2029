import * as vscode from 'vscode';
import { preview } from '../core/codec';
import { RedisExplorerError } from '../core/errors';
import { keyType } from '../core/keyOps';
import { log } from '../log';
import type { BaseServices } from '../services';
import { webviewOptions } from './html';
import { HashEditorPanel, targetId } from './panel';
import type { Target } from '../core/hashSession';
import { checkPersistedState } from './validate';

const HASH_EDITOR_VIEW_TYPE = 'redisHashExplorer.hashEditor';

/** The open hash editors, one per connection + database + key; opening the same hash again reveals its tab. */
export class HashEditorManager implements vscode.Disposable {
  private readonly editors = new Map<string, HashEditorPanel>();
  private readonly opening = new Map<string, Promise<HashEditorPanel>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly opened = new vscode.EventEmitter<HashEditorPanel>();
  /** fires the editor open() opened or revealed, as soon as it is ready to be used */
  readonly onDidOpen = this.opened.event;

  constructor(private readonly services: BaseServices) {
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(HASH_EDITOR_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => {
          try {
            await this.restore(panel, state);
          } catch (err) {
            log.error(`hash editor: could not restore an editor: ${err instanceof Error ? err.message : String(err)}`);
          }
        },
      }),
    );
  }

  /** Opens (or reveals) the editor of a hash; resolves once the first page of fields is loaded. */
  open(target: Target): Promise<HashEditorPanel> {
    const id = targetId(target);
    const existing = this.editors.get(id);
    if (existing) {
      existing.panel.reveal();
      this.opened.fire(existing);
      return Promise.resolve(existing);
    }
    let pending = this.opening.get(id);
    if (!pending) {
      pending = this.create(target).finally(() => this.opening.delete(id));
      this.opening.set(id, pending);
    }
    // fired before the caller's own continuation runs (this handler was attached first)
    return pending.then((editor) => {
      this.opened.fire(editor);
      return editor;
    });
  }

  private async create(target: Target): Promise<HashEditorPanel> {
    const conn = await this.services.pool.get(target.connection, target.db);
    const type = await keyType(conn, target.key);
    const name = preview(target.key, 80);
    if (type === 'none') throw new RedisExplorerError('NOT_FOUND', `Key "${name}" does not exist (deleted meanwhile?).`);
    if (type !== 'hash') throw new RedisExplorerError('WRONGTYPE', `Key "${name}" is a ${type}, not a hash.`);
    const panel = vscode.window.createWebviewPanel(HASH_EDITOR_VIEW_TYPE, preview(target.key, 60), vscode.ViewColumn.Active, {
      ...webviewOptions(this.services.context.extensionUri),
      enableFindWidget: false,
    });
    const editor = this.adopt(panel, target);
    await editor.showPage(editor.start(true));
    return editor;
  }

  /** The serializer's path after a reload: the state names the hash; everything else is fetched again. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<HashEditorPanel | undefined> {
    const s = checkPersistedState(state);
    if (!s) {
      log.warn('hash editor: a restored editor had no valid state; closing it.');
      panel.dispose();
      return undefined;
    }
    const target: Target = { connection: s.connection, db: s.db, key: Buffer.from(s.key, 'base64') };
    const existing = this.editors.get(targetId(target));
    if (existing) {
      panel.dispose();
      existing.panel.reveal();
      return existing;
    }
    const editor = this.adopt(panel, target);
    await editor.showPage(editor.start(true));
    return editor;
  }

  getOpenEditors(): HashEditorPanel[] {
    return [...this.editors.values()];
  }

  private adopt(panel: vscode.WebviewPanel, target: Target): HashEditorPanel {
    const editor = new HashEditorPanel(panel, target, this.services);
    let id = targetId(target);
    this.editors.set(id, editor);
    editor.onRekey.push((oldId) => {
      if (this.editors.get(oldId) === editor) this.editors.delete(oldId);
      id = targetId(editor.target);
      this.editors.set(id, editor);
    });
    editor.onDidDispose(() => {
      if (this.editors.get(id) === editor) this.editors.delete(id);
    });
    return editor;
  }

  dispose(): void {
    for (const e of this.editors.values()) e.panel.dispose();
    this.editors.clear();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.opened.dispose();
  }
}

import * as vscode from 'vscode';
import { preview } from '../core/codec';
import { toExplorerError } from '../core/errors';
import type { ServerInfo } from '../core/serverInfo';
import type { HashChange } from '../connections/changes';
import { log } from '../log';
import type { BaseServices } from '../services';
import type { HeaderInfo, HostEvent, HostMessage, ReplyMessage, RequestMessage, StatusInfo } from '../shared/protocol';
import { serveRequest } from '../shared/protocol';
import { ValueDecoding } from './decoding';
import type { DecoderRule } from './decoding';
import { HashEdits } from './edits';
import { requestHandlers } from './handlers';
import type { EditorHost } from './host';
import { editorHtml, webviewOptions } from './html';
import { firstScreenWaitMs } from './firstScreenWait';
import { EditorLive } from './live';
import { HashSession } from '../core/hashSession';
import type { Target } from '../core/hashSession';
import { checkWebviewMessage, requestIdOf } from './validate';
import type { PromptLayer } from '../commands/prompts';

const KEPT_EVENTS = 300;
/** rows sent with `init`: a block of the webview's row cache (more than a screen holds) */
const FIRST_ROWS = 100;
/** the longest the page waits for the first screen's data to come in it (showPage) */
const PAGE_WAIT_MS = 50;

export function targetId(t: Target): string {
  return `${t.connection}\u0000${t.db}\u0000${t.key.toString('base64')}`;
}

/** One editor tab: the webview, its session (loaded rows), and the message handling between them. */
export class HashEditorPanel implements EditorHost, vscode.Disposable {
  readonly session: HashSession;
  readonly edits: HashEdits;
  readonly decoding: ValueDecoding;
  /** follows the hash on the server (live updates) */
  readonly live: EditorLive;
  private ready = false;
  /** the tab was closed: its webview must not be touched again (the API throws "Webview is disposed") */
  private disposed = false;
  /** the first `init`'s delivery (in the page or early, showPage), until the page says `ready` */
  private early: Promise<boolean> | undefined;
  /** an event was not posted while the early init waited for `ready` */
  private missed = false;
  private headerInfo: HeaderInfo | undefined;
  private firing = false;
  /** lets the rest of the load go: the webview drew the first screen (or cannot) */
  private drawn: (() => void) | undefined;
  /** when (Date.now()) the webview first said it drew its first screen */
  readonly firstDrawn: Promise<number>;
  private markDrawn: (at: number) => void = () => undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly onDisposeCallbacks: Array<() => void> = [];
  /** the events posted to the webview lately (the last KEPT_EVENTS) */
  readonly recentEvents: HostEvent[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: Target,
    private readonly services: BaseServices,
  ) {
    this.firstDrawn = new Promise((resolve) => (this.markDrawn = resolve));
    this.session = new HashSession(target, () => services.pool.get(target.connection, target.db), {
      status: (status) => this.postEvent({ type: 'status', status }),
      invalidate: () => this.postEvent({ type: 'invalidate' }),
    });
    this.session.natural = vscode.workspace.getConfiguration('redisHashExplorer').get<string>('sortOrder', 'natural') !== 'bytes';
    this.edits = new HashEdits(this.session, (fields) => this.afterWrite(fields));
    this.live = new EditorLive(
      {
        session: this.session,
        refreshHeader: (reread) => this.refreshHeader(reread),
        postLive: (_info, changed, held) => {
          // rows changed in the store after a sync: the webview asks again for the rows on screen
          this.postEvent({ type: 'invalidate' });
          this.postLive(changed, held);
        },
      },
      services.live,
      target,
    );
    this.decoding = new ValueDecoding(this.session, () => vscode.workspace.getConfiguration('redisHashExplorer').get<DecoderRule[]>('decoders') ?? []);
    // the page itself comes with the first screen's data (showPage)
    panel.webview.options = webviewOptions(services.context.extensionUri);
    this.setTitle();
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      // Without retainContextWhenHidden a hidden webview is torn down; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (panel.visible) return;
        this.ready = false;
        this.drawn?.();
      }),
      services.changes.onDidChange((c) => this.onChange(c)),
      services.live.onDidChangeStatus(({ connection, db }) => {
        if (connection === this.target.connection && db === this.target.db) this.postLive([], []);
      }),
      services.live.onDidChangePaused(() => this.postLive([], [])),
      services.pool.onDidChangeState((name) => this.onConnectionState(name)),
      // Back after a lost connection (a restart may have changed or emptied the hash): load it again.
      services.pool.onDidReconnect(({ name, db }) => {
        if (name !== this.target.connection || db !== this.target.db) return;
        this.start().catch((err: unknown) => log.warn(`hash editor: reloading after a reconnect failed: ${toExplorerError(err).message}`));
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /**
   * Loads the hash; resolves once the first page and the key's header are in. `firstScreen`: the rest of the
   * load waits until the webview has drawn that page (an editor being opened); `afterChange`: see HashSession.start.
   */
  async start(firstScreen = false, afterChange = false): Promise<void> {
    await this.session.start(undefined, firstScreen && !this.disposed && this.panel.visible ? this.firstScreenDrawn() : undefined, afterChange);
    await this.session.headerRead;
    await this.refreshHeader(false);
  }

  /** Resolves when the webview says it drew the first screen, is hidden or closed, or after the first-screen wait. */
  private firstScreenDrawn(): Promise<void> {
    this.drawn?.();
    return new Promise((resolve) => {
      const go = () => {
        clearTimeout(timer);
        if (this.drawn === go) this.drawn = undefined;
        resolve();
      };
      const timer = setTimeout(go, firstScreenWaitMs());
      this.drawn = go;
    });
  }

  onDidDispose(cb: () => void): void {
    this.onDisposeCallbacks.push(cb);
  }

  dispose(): void {
    this.disposed = true;
    this.drawn?.();
    this.live.dispose();
    this.session.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    for (const cb of this.onDisposeCallbacks.splice(0)) cb();
  }

  get header(): HeaderInfo | undefined {
    return this.headerInfo;
  }

  status(): StatusInfo {
    return this.session.status();
  }

  /** how the editor asks (confirmations, save dialogs, progress) */
  get prompts(): PromptLayer {
    return this.services.prompts;
  }

  /** What the pool knows of the server (version, capabilities), if it has connected. */
  serverInfo(): ServerInfo | undefined {
    return this.services.pool.status(this.target.connection).info;
  }

  /** A message from the webview; its reply goes back to the webview. */
  private receive(raw: unknown): void {
    this.handle(raw, (reply) => this.post(reply));
  }

  /**
   * Serves one message, validated before use, and hands its reply to `reply`. Returns whether a reply follows
   * (a request, or a refused message that carries an id).
   */
  handle(raw: unknown, reply: (msg: ReplyMessage) => void): boolean {
    const checked = checkWebviewMessage(raw);
    if (!checked.ok) {
      log.warn(`hash editor: refused a message from the webview: ${checked.error}`);
      const id = requestIdOf(raw);
      if (id !== undefined) reply({ kind: 'reply', id, ok: false, error: `Invalid request: ${checked.error}` });
      return id !== undefined;
    }
    const msg = checked.value;
    if (msg.kind === 'ready') {
      this.ready = true;
      void this.onReady();
      return false;
    }
    if (msg.kind === 'drawn') {
      this.markDrawn(Date.now());
      this.drawn?.();
      return false;
    }
    void serveRequest(requestHandlers(this), msg, reply, (err) => this.describe(err, msg));
    return true;
  }

  /** Asks before fields are deleted from the editor (a modal question through the prompt layer). */
  async confirmDelete(names: Buffer[]): Promise<boolean> {
    const key = preview(this.target.key, 60);
    const message = names.length === 1 ? `Delete field "${preview(names[0], 60)}" from "${key}"?` : `Delete ${names.length.toLocaleString('en-US')} fields from "${key}"?`;
    const detail = names.length > 1 ? names.slice(0, 10).map((n) => preview(n, 60)).join('\n') + (names.length > 10 ? '\n…' : '') : undefined;
    return (await this.prompts.ask(message, detail, 'Delete')) === 'Delete';
  }

  /** Live updates: the mode, rows that changed on the server (highlighted), the row being edited that changed under the user. */
  postLive(changed: number[], held: number[]): void {
    this.postEvent({ type: 'live', info: this.live.info(), changed, held, deleted: !this.session.exists });
  }

  postEvent(event: HostEvent): void {
    this.recentEvents.push(event);
    if (this.recentEvents.length > KEPT_EVENTS) this.recentEvents.splice(0, this.recentEvents.length - KEPT_EVENTS);
    if (this.ready) this.post({ kind: 'event', event });
    else if (this.early) this.missed = true;
  }

  /** Posts the header; `reread`: ask the server again (TYPE, HLEN, TTL) first. */
  async refreshHeader(reread = true): Promise<void> {
    try {
      const conn = await this.session.conn();
      if (reread && this.session.load !== 'error') {
        await this.session.readHeader(conn);
        this.session.emitStatus(true);
      }
      const info = this.services.pool.status(this.target.connection).info;
      this.headerInfo = {
        connection: this.target.connection,
        db: this.target.db,
        key: { text: preview(this.target.key, 200), utf8: true },
        keyBase64: this.target.key.toString('base64'),
        readOnly: conn.readOnly,
        fieldTtl: info?.capabilities.fieldTtl === true,
        ttl: this.session.ttl,
        exists: this.session.exists,
        fieldCount: this.session.exists ? this.session.total : null,
      };
    } catch (err) {
      log.warn(`hash editor: cannot read the key's header: ${toExplorerError(err).message}`);
      this.headerInfo ??= {
        connection: this.target.connection,
        db: this.target.db,
        key: { text: preview(this.target.key, 200), utf8: true },
        keyBase64: this.target.key.toString('base64'),
        readOnly: true,
        fieldTtl: false,
        ttl: -1,
        exists: false,
        fieldCount: null,
      };
    }
    this.postEvent({ type: 'header', header: this.headerInfo });
  }

  private async sendInit(): Promise<void> {
    if (!this.headerInfo) await this.refreshHeader();
    if (!this.headerInfo || !this.ready) return;
    const init = await this.initEvent();
    if (init && this.ready) this.post({ kind: 'event', event: init });
  }

  /** Header, status and the first screen's rows (so the table needs no request before it shows something). */
  private async initEvent(): Promise<HostEvent | undefined> {
    const rows = await requestHandlers(this)
      .rows({ version: this.session.version, start: 0, count: FIRST_ROWS })
      .catch(() => null);
    return this.headerInfo && { type: 'init', header: this.headerInfo, status: this.session.status(), ...(rows ? { rows } : {}) };
  }

  /**
   * Sets the page once the hash's first page and header are in (`loaded`), with the first screen's `init` in it:
   * the page draws it before its load event, behind which the workbench holds every message. A load slower than
   * PAGE_WAIT_MS (the workbench's own frame is not ready much sooner) gets the page at once and the same `init`
   * as an early message, posted as soon as the hash is loaded instead of on `ready` (the page listens from its
   * first line). Either way `ready` then only adds what changed meanwhile. Rejects as `loaded` does.
   */
  async showPage(loaded: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, PAGE_WAIT_MS, false)));
    const inTime = await Promise.race([loaded.then(() => true, () => false), wait]);
    clearTimeout(timer);
    let first: HostEvent | undefined;
    if (inTime && !this.disposed && this.panel.visible) {
      this.early = Promise.resolve(true);
      first = await this.initEvent();
      if (!first) this.early = undefined;
    }
    if (this.disposed) return;
    this.panel.webview.html = editorHtml(this.panel.webview, this.services.context.extensionUri, first);
    await loaded;
    if (this.disposed || this.ready || this.early || !this.panel.visible) return;
    this.early = this.initEvent().then(
      (init) => (init && !this.disposed ? Promise.resolve(this.panel.webview.postMessage({ kind: 'event', event: init })) : false),
      () => false,
    );
  }

  private async onReady(): Promise<void> {
    const early = this.early;
    this.early = undefined;
    if (!early || !(await early)) {
      await this.sendInit();
      this.postLive([], []);
      return;
    }
    this.postLive([], []);
    // events between the early init and `ready` were not posted: send their latest state
    if (this.missed && this.headerInfo) {
      this.post({ kind: 'event', event: { type: 'header', header: this.headerInfo } });
      this.post({ kind: 'event', event: { type: 'status', status: this.session.status() } });
      this.post({ kind: 'event', event: { type: 'invalidate' } });
    }
    this.missed = false;
  }

  private post(msg: HostMessage): void {
    // a save's header refresh or a load can end after the tab was closed: that is not an error
    if (this.disposed) return;
    void this.panel.webview.postMessage(msg).then(undefined, () => undefined);
  }

  private describe(err: unknown, msg: RequestMessage): string {
    const e = toExplorerError(err);
    log.error(`hash editor ${msg.method}: ${e.message}`);
    return e.message;
  }

  /** A write of ours succeeded: tell the tree and other views, then show the new header and rows. */
  private afterWrite(fields: Buffer[]): void {
    const { connection, db, key } = this.target;
    this.firing = true;
    try {
      this.services.changes.fire({ kind: 'fields', connection, db, key, fields });
    } finally {
      this.firing = false;
    }
    void this.refreshHeader();
  }

  /** While the connection is lost the status line says so (edits meanwhile fail: nothing is written). */
  private onConnectionState(name: string): void {
    if (name !== this.target.connection) return;
    const status = this.services.pool.status(name);
    if (status.state !== 'reconnecting' && status.state !== 'failed') return;
    this.session.message = status.error;
    this.session.emitStatus(true);
  }

  keyChanged(): void {
    this.firing = true;
    try {
      const { connection, db, key } = this.target;
      this.services.changes.fire({ kind: 'key', connection, db, key });
    } finally {
      this.firing = false;
    }
  }

  private onChange(c: HashChange): void {
    const t = this.target;
    if (this.firing || c.connection !== t.connection || c.db !== t.db || !c.key.equals(t.key)) return;
    const failed = (err: unknown) => log.warn(`hash editor: cannot follow a change: ${toExplorerError(err).message}`);
    switch (c.kind) {
      case 'fields':
        void this.session.refetch(c.fields).then(() => this.refreshHeader(), failed);
        break;
      case 'key':
        void this.refreshHeader();
        break;
      case 'keyDeleted':
      case 'keyAdded':
        this.start(false, true).catch(failed);
        break;
      case 'keyRenamed':
        this.renamedTo(c.newKey);
        break;
    }
  }

  /** The key was renamed elsewhere: follow it (same rows, new name). */
  private renamedTo(newKey: Buffer): void {
    const before = targetId(this.target);
    this.target.key = newKey;
    this.setTitle();
    for (const cb of this.onRekey) cb(before);
    void this.refreshHeader();
  }

  readonly onRekey: Array<(oldId: string) => void> = [];

  private setTitle(): void {
    if (this.disposed) return;
    this.panel.title = preview(this.target.key, 60);
  }
}

import type * as vscode from 'vscode';
import type { PromptLayer } from '../commands/prompts';
import type { HashSession } from '../core/hashSession';
import type { ServerInfo } from '../core/serverInfo';
import type { HeaderInfo, HostEvent } from '../shared/protocol';
import type { ValueDecoding } from './decoding';
import type { HashEdits } from './edits';
import type { EditorLive } from './live';

/**
 * What the webview's request handlers (handlers.ts, bulk.ts, liveRequests.ts) use of their editor tab. The
 * panel (panel.ts) is it; the handlers name only this, so they do not import the panel that imports them.
 */
export interface EditorHost {
  readonly panel: vscode.WebviewPanel;
  readonly session: HashSession;
  readonly edits: HashEdits;
  readonly decoding: ValueDecoding;
  readonly live: EditorLive;
  /** the key's type, field count and TTL as last read */
  readonly header: HeaderInfo | undefined;
  /** the questions it asks (the tests answer them) */
  readonly prompts: PromptLayer;
  start(firstScreen?: boolean): Promise<void>;
  serverInfo(): ServerInfo | undefined;
  confirmDelete(names: Buffer[]): Promise<boolean>;
  postLive(changed: number[], held: number[]): void;
  postEvent(event: HostEvent): void;
  refreshHeader(reread?: boolean): Promise<void>;
  /** the key was written: other tabs and the tree re-read it */
  keyChanged(): void;
}

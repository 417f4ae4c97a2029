import type * as vscode from 'vscode';
import type { LiveInfo } from '../shared/live';
import type { HeaderInfo, HostEvent, Method, ReplyMessage, Requests, StatusInfo } from '../shared/protocol';
import type { HashEditorManager } from './manager';
import type { HashEditorPanel } from './panel';

/**
 * Test hooks: what openHashEditor resolves with, so extension-host tests can drive an open editor
 * through the very message handler the webview uses (validation included) against a real Redis.
 */
export interface HashEditorTestHooks {
  readonly panel: vscode.WebviewPanel;
  target(): { connection: string; db: number; key: Buffer };
  /** a request as the webview would send it; resolves with its reply's result, rejects with its error */
  request<M extends Method>(method: M, params: Requests[M]['params']): Promise<Requests[M]['result']>;
  /** any raw message (to check validation); resolves with the reply when the message has a test id (>= 1e9) */
  send(raw: unknown): Promise<ReplyMessage | undefined>;
  status(): StatusInfo;
  header(): HeaderInfo | undefined;
  /** events posted to the webview lately */
  events(): HostEvent[];
  /** bytes the row store holds for the loaded fields */
  storeBytesHeld(): number;
  /** resolves when background loading has ended (done, stopped or failed) */
  loaded(): Promise<void>;
  /** resolves with when (Date.now()) the webview first said it drew its first screen */
  drawn(): Promise<number>;
  /** answers the next delete confirmation instead of the modal dialog */
  answerNextConfirmation(answer: boolean): void;
  openEditors(): HashEditorTestHooks[];
  /** the panel serializer's restore path, with a panel the test made */
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<HashEditorTestHooks | undefined>;
  /** live updates: the mode as the header shows it */
  live(): LiveInfo;
}

export function testHooks(editor: HashEditorPanel, manager: HashEditorManager): HashEditorTestHooks {
  return {
    panel: editor.panel,
    target: () => ({ ...editor.target }),
    request: (method, params) => editor.testClient.request(method, params),
    send: (raw) => editor.sendRaw(raw),
    status: () => editor.status(),
    header: () => editor.header,
    events: () => [...editor.recentEvents],
    storeBytesHeld: () => editor.session.store.bytesHeld(),
    loaded: () => editor.session.loaded(),
    drawn: () => editor.firstDrawn,
    answerNextConfirmation: (answer) => {
      editor.confirmOverride = () => Promise.resolve(answer);
    },
    openEditors: () => manager.getOpenEditors().map((e) => testHooks(e, manager)),
    live: () => editor.live.info(),
    restore: async (panel, state) => {
      const e = await manager.restore(panel, state);
      return e && testHooks(e, manager);
    },
  };
}

import * as vscode from 'vscode';
import { defaultPrompts } from './commands/prompts';
import type { PromptLayer } from './commands/prompts';
import type { LiveUpdates } from './connections/live';
import type { HashEditorManager } from './hashEditor/manager';
import type { HashEditorPanel } from './hashEditor/panel';
import { setFirstScreenWait } from './hashEditor/firstScreenWait';
import type { Services } from './commands/services';
import type { LiveInfo } from './shared/live';
import type { HeaderInfo, HostEvent, Method, ReplyMessage, Requests, StatusInfo } from './shared/protocol';
import { RequestClient } from './shared/protocol';
import type { TreeNode } from './tree/nodes';
import type { KeyTreeProvider } from './tree/provider';

/*
 * The one place where extension-host tests reach into the extension: the object activate() returns.
 * Nothing else (commands, panel, webview) knows that tests exist; these hooks drive the same public
 * paths: the commands, the prompt layer, and an editor's message handler (validation included).
 */

/** An open hash editor, driven through the message handler its webview uses. */
export interface HashEditorTestHooks {
  readonly panel: vscode.WebviewPanel;
  target(): { connection: string; db: number; key: Buffer };
  /** a request as the webview would send it; resolves with its reply's result, rejects with its error */
  request<M extends Method>(method: M, params: Requests[M]['params']): Promise<Requests[M]['result']>;
  /** any raw message (to check validation); resolves with its reply, undefined when none follows */
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
  /** answers the next modal question (a delete confirmation) instead of the dialog: yes picks its first button */
  answerNextConfirmation(answer: boolean): void;
  openEditors(): HashEditorTestHooks[];
  /** the panel serializer's restore path, with a panel the test made */
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<HashEditorTestHooks | undefined>;
  /** live updates: the mode as the header shows it */
  live(): LiveInfo;
}

/** The open hash editors. */
interface EditorsTestHooks {
  /** runs Open Hash Editor with `arg` (a target, a tree node, or nothing for the pickers); resolves with the editor it opened or revealed */
  open(arg?: unknown): Promise<HashEditorTestHooks>;
  /** the open editor of a hash, if any (`db` omitted: any database) */
  find(target: { connection: string; db?: number; key: string | Buffer }): HashEditorTestHooks | undefined;
  all(): HashEditorTestHooks[];
  /** the panel serializer's restore path, with a panel the test made */
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<HashEditorTestHooks | undefined>;
  /** answers the next modal question instead of the dialog */
  answerNextConfirmation(answer: boolean): void;
  /** the longest an editor's load waits for its first screen to be drawn, in ms (undefined: the product's) */
  setFirstScreenWait(ms: number | undefined): void;
}

interface PromptsTestHook {
  /** replaces some prompts */
  set(replacements: Partial<PromptLayer>): void;
  /** VS Code's own prompts again */
  reset(): void;
}

export interface TestHooks {
  prompts: PromptsTestHook;
  tree: KeyTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  live: LiveUpdates;
  editors: EditorsTestHooks;
  /** the extension's SecretStorage, which other windows share: a test writes to it as another window would */
  secrets: vscode.SecretStorage;
}

export function createTestHooks(services: Services, tree: KeyTreeProvider): TestHooks {
  const layer = services.prompts;
  const answerNext = (answer: boolean): void => {
    const ask = layer.ask;
    layer.ask = async (_message, _detail, ...buttons) => {
      layer.ask = ask;
      return answer ? buttons[0] : undefined;
    };
  };
  const editors = new EditorHooks(services.editors, answerNext);
  return {
    prompts: {
      set: (replacements) => void Object.assign(layer, replacements),
      reset: () => void Object.assign(layer, defaultPrompts()),
    },
    tree,
    treeView: services.treeView,
    live: services.live,
    secrets: services.context.secrets,
    editors: {
      open: (arg) => editors.open(arg),
      find: (t) => editors.find(t),
      all: () => editors.all(),
      restore: (panel, state) => editors.restore(panel, state),
      answerNextConfirmation: answerNext,
      setFirstScreenWait,
    },
  };
}

class EditorHooks {
  /** one set of hooks per editor, so a request's client outlives a lookup */
  private readonly made = new WeakMap<HashEditorPanel, HashEditorTestHooks>();

  constructor(
    private readonly manager: HashEditorManager,
    private readonly answerNext: (answer: boolean) => void,
  ) {}

  async open(arg: unknown): Promise<HashEditorTestHooks> {
    let opened: HashEditorPanel | undefined;
    const sub = this.manager.onDidOpen((e) => (opened = e));
    try {
      await vscode.commands.executeCommand('redisHashExplorer.openHashEditor', arg);
    } finally {
      sub.dispose();
    }
    if (!opened) throw new Error('Open Hash Editor resolved without opening an editor.');
    return this.of(opened);
  }

  find(t: { connection: string; db?: number; key: string | Buffer }): HashEditorTestHooks | undefined {
    const key = Buffer.from(t.key);
    const e = this.manager.getOpenEditors().find((x) => x.target.connection === t.connection && (t.db === undefined || x.target.db === t.db) && x.target.key.equals(key));
    return e && this.of(e);
  }

  all(): HashEditorTestHooks[] {
    return this.manager.getOpenEditors().map((e) => this.of(e));
  }

  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<HashEditorTestHooks | undefined> {
    const e = await this.manager.restore(panel, state);
    return e && this.of(e);
  }

  private of(editor: HashEditorPanel): HashEditorTestHooks {
    let hooks = this.made.get(editor);
    if (!hooks) {
      hooks = this.make(editor);
      this.made.set(editor, hooks);
    }
    return hooks;
  }

  private make(editor: HashEditorPanel): HashEditorTestHooks {
    const client = new RequestClient((msg) => editor.handle(msg, (reply) => client.handleReply(reply)));
    editor.onDidDispose(() => client.rejectAll('The editor was closed.'));
    return {
      panel: editor.panel,
      target: () => ({ ...editor.target }),
      request: (method, params) => client.request(method, params),
      send: (raw) =>
        new Promise((resolve) => {
          if (!editor.handle(raw, resolve)) resolve(undefined);
        }),
      status: () => editor.status(),
      header: () => editor.header,
      events: () => [...editor.recentEvents],
      storeBytesHeld: () => editor.session.store.bytesHeld(),
      loaded: () => editor.session.loaded(),
      drawn: () => editor.firstDrawn,
      answerNextConfirmation: this.answerNext,
      openEditors: () => this.all(),
      restore: (panel, state) => this.restore(panel, state),
      live: () => editor.live.info(),
    };
  }
}


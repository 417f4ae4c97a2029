import * as vscode from 'vscode';

/**
 * What a write changed, so every view that shows it (tree, hash editors) refreshes just that,
 * whoever made the change. Keys and fields are bytes.
 */
export type HashChange =
  | { kind: 'fields'; connection: string; db: number; key: Buffer; fields: Buffer[] }
  | { kind: 'key'; connection: string; db: number; key: Buffer }
  | { kind: 'keyDeleted'; connection: string; db: number; key: Buffer }
  | { kind: 'keyRenamed'; connection: string; db: number; key: Buffer; newKey: Buffer }
  | { kind: 'keyAdded'; connection: string; db: number; key: Buffer };

/** How long a command waits for the views to show its change before it resolves anyway. */
const SETTLE_MS = 3000;

export class ChangeBus implements vscode.Disposable {
  private readonly listeners = new Set<(change: HashChange) => unknown>();

  /** A listener may return a promise: `fire` waits for it (its refresh), so a command resolves once views show the change. */
  readonly onDidChange: vscode.Event<HashChange> = (listener, thisArg?, disposables?) => {
    const bound = (c: HashChange): unknown => listener.call(thisArg, c);
    this.listeners.add(bound);
    const sub = new vscode.Disposable(() => this.listeners.delete(bound));
    disposables?.push(sub);
    return sub;
  };

  /** Tells every view; resolves when they have re-read what they show (at most SETTLE_MS), never rejects. */
  async fire(change: HashChange): Promise<void> {
    const pending = [...this.listeners].map((l) => Promise.resolve().then(() => l(change)).catch(() => undefined));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_MS)));
    await Promise.race([Promise.all(pending), late]);
    clearTimeout(timer);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

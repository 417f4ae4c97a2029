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

export class ChangeBus implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<HashChange>();
  readonly onDidChange = this.emitter.event;

  fire(change: HashChange): void {
    this.emitter.fire(change);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

import * as vscode from 'vscode';

/** The key filter (a SCAN MATCH pattern) of each connection that has one. */
export class KeyFilters implements vscode.Disposable {
  private readonly byName = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** fires when a filter is set or cleared, or the connection list changed */
  readonly onDidChange = this.changed.event;

  of(name: string): string | undefined {
    return this.byName.get(name);
  }

  all(): ReadonlyMap<string, string> {
    return this.byName;
  }

  /** Sets (a pattern) or clears (undefined, empty) a connection's filter. */
  set(name: string, pattern: string | undefined): void {
    if (pattern) this.byName.set(name, pattern);
    else this.byName.delete(name);
    this.changed.fire();
  }

  /** After the connection list changed: drops the filters of connections gone, and tells the listeners. */
  keepOnly(exists: (name: string) => boolean): void {
    for (const name of [...this.byName.keys()]) if (!exists(name)) this.byName.delete(name);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

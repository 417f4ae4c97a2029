import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { ChangeBus } from './connections/changes';
import { ConnectionStore } from './connections/connectionStore';
import { ConnectionPool } from './connections/pool';
import { createLog } from './log';
import type { Services } from './services';

/** Wires the parts together; no logic here. */
export function activate(context: vscode.ExtensionContext): void {
  const store = new ConnectionStore(context.secrets);
  const pool = new ConnectionPool(store);
  const changes = new ChangeBus();
  const services: Services = { context, store, pool, changes };
  context.subscriptions.push(createLog(), store, pool, changes, ...registerCommands(services));
}

export function deactivate(): void {}

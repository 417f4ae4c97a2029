import * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import type { ConnectionNode } from '../tree/nodes';
import { stopScan as stop } from '../tree/scanning';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { asNode, connectionOf } from './resolve';
import { asPlainTarget } from './target';

/**
 * Stops a connection's key scan running in the background, after its request in flight; the keys found stay
 * and "Load more…" continues from there. From the scan's row (its inline button, or Enter on it), a
 * connection, the palette (asks which scan when several run) or `{ connection }`. Resolves once stopped.
 */
export const stopScan: CommandSpec = {
  id: 'redisHashExplorer.stopScan',
  async run(services, arg) {
    const plain = asPlainTarget(arg);
    let node: ConnectionNode | undefined;
    if (plain) {
      services.store.get(plain.connection);
      node = services.tree.connectionNode(plain.connection);
    } else if (arg !== undefined) {
      node = connectionOf(asNode(arg));
      if (!node) throw new RedisExplorerError('INVALID', 'Stop Scan works on a connection in the Redis view.');
    } else {
      const running = services.tree.connectionNodes().filter((c) => c.session.scan?.running);
      if (running.length === 0) {
        void vscode.window.showInformationMessage('No key scan is running.');
        return false;
      }
      node = running.length === 1 ? running[0] : orCancel(await vscode.window.showQuickPick(running.map((c) => ({ label: c.name, node: c })), { title: 'Stop the key scan of' })).node;
    }
    return node ? stop(services.tree, node) : false;
  },
};

import * as vscode from 'vscode';
import { toExplorerError } from '../core/errors';
import { log } from '../log';
import type { Services } from './services';

/**
 * A standalone connection to a node of a cluster sees only that node's share of the keys and fails on
 * the others: say so (the pool tells once per connection and session), and offer to make it a cluster connection.
 */
export function offerClusterSwitch(services: Services): vscode.Disposable {
  return services.pool.onClusterNodeFound((name) => {
    const choice = 'Switch to Cluster';
    void services.prompts
      .offer(`"${name}" is connected to a node of a Redis Cluster: as a standalone connection it shows only that node's keys and fails on keys of other nodes. Switch it to a cluster connection?`, choice)
      .then(async (picked) => {
        if (picked !== choice) return;
        await services.pool.switchToCluster(name).catch((err: unknown) => {
          const e = toExplorerError(err);
          log.error(`[${name}] switching to cluster failed: ${e.message}`);
          void vscode.window.showErrorMessage(e.message);
        });
      });
  });
}

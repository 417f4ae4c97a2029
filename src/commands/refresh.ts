import type { CommandSpec } from './command';
import { asNode, loadedNode } from './resolve';
import { asPlainTarget } from './target';

/**
 * Refresh: a connection rescans its keys, a folder re-checks the keys it shows, a hash key reloads its
 * fields; from the title bar or palette, everything. Scripted: `{ connection, key? }`.
 */
export const refresh: CommandSpec = {
  id: 'redisHashExplorer.refresh',
  async run(services, arg) {
    const plain = asPlainTarget(arg);
    if (plain) {
      const node = loadedNode(services, plain);
      if (node) services.tree.refresh(node);
      return;
    }
    services.tree.refresh(asNode(arg));
  },
};

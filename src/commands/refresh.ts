import { RedisExplorerError } from '../core/errors';
import type { CommandSpec } from './command';
import { asNode, shown } from './resolve';
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
      services.store.get(plain.connection);
      const conn = services.tree.connectionNode(plain.connection);
      if (!conn) return;
      if (plain.key === undefined) return services.tree.refresh(conn);
      const node = conn.session.keyNodes.get(Buffer.from(plain.key, 'utf8').toString('latin1'));
      if (!node) throw new RedisExplorerError('NOT_FOUND', `Key "${shown(Buffer.from(plain.key))}" is not loaded in the tree.`);
      return services.tree.refresh(node);
    }
    services.tree.refresh(asNode(arg));
  },
};

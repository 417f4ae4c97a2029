import { RedisExplorerError } from '../core/errors';
import type { CommandSpec } from './command';
import { asNode, loadedNode } from './resolve';
import { asPlainTarget } from './target';

/**
 * The "Load more…" node: the next SCAN page of a connection, or the next HSCAN page of a hash key,
 * refreshing only that subtree. Scripted: `{ connection }` (keys) or `{ connection, key }` (fields of
 * a key the tree has loaded).
 */
export const loadMore: CommandSpec = {
  id: 'redisHashExplorer.loadMore',
  async run(services, arg) {
    const plain = asPlainTarget(arg);
    if (plain) {
      const node = loadedNode(services, plain);
      if (!node) throw new RedisExplorerError('NOT_FOUND', `No connection named "${plain.connection}".`);
      return services.tree.loadMore(node);
    }
    const node = asNode(arg);
    const parent = node?.kind === 'loadMore' ? node.parent : node?.kind === 'connection' || node?.kind === 'key' ? node : undefined;
    if (!parent) throw new RedisExplorerError('INVALID', 'Load More works on a connection or a hash key in the Redis view.');
    await services.tree.loadMore(parent);
  },
};

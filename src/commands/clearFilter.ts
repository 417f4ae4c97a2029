import type { CommandSpec } from './command';
import { asNode, connectionOf } from './resolve';
import { asPlainTarget } from './target';

/** Clears a connection's key filter; from the view title or palette, every filter. */
export const clearFilter: CommandSpec = {
  id: 'redisHashExplorer.clearFilter',
  async run(services, arg) {
    const plain = asPlainTarget(arg);
    const name = plain ? (services.store.get(plain.connection), plain.connection) : connectionOf(asNode(arg))?.name;
    const names = name ? [name] : [...services.tree.activeFilters().keys()];
    for (const n of names) services.tree.setFilter(n, undefined);
  },
};

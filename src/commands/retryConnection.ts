import type { CommandSpec } from './command';
import { connectionTarget } from './resolve';

/** Connects again after a failure (the tree's Retry); rejects with the reason if it fails again. */
export const retryConnection: CommandSpec = {
  id: 'redisHashExplorer.retryConnection',
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Retry Connection');
    await services.tree.retry(t.connection);
  },
};

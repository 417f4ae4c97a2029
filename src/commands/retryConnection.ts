import type { CommandSpec } from './command';
import { connectionTarget } from './resolve';

/** Connects again after a failure or a lost SSH connection (the tree's Retry); rejects with the reason if it fails again. */
export const retryConnection: CommandSpec = {
  id: 'redisHashExplorer.retryConnection',
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Retry Connection');
    // SSH lost: close the waiting clients and the tunnel, and connect through a new SSH connection now
    if (services.pool.status(t.connection).sshLost) await services.pool.disconnect(t.connection);
    await services.tree.retry(t.connection);
  },
};

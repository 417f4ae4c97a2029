import type { CommandSpec } from './command';
import { connectionTarget } from './resolve';

/** Closes a connection's clients (they reopen on the next expand or command). */
export const disconnect: CommandSpec = {
  id: 'redisHashExplorer.disconnect',
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Disconnect');
    await services.pool.disconnect(t.connection);
  },
};

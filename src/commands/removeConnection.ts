import type { CommandSpec } from './command';
import { prompts } from './prompts';
import { connectionTarget } from './resolve';

/** Removes a connection from settings and its password from SecretStorage; closes its clients. */
export const removeConnection: CommandSpec = {
  id: 'redisHashExplorer.removeConnection',
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Remove Connection');
    if (!t.scripted) {
      const answer = await prompts.ask(`Remove the connection "${t.connection}"?`, 'Its saved password is deleted too. The data in Redis is not touched.', 'Remove');
      if (answer !== 'Remove') return;
    }
    await services.pool.disconnect(t.connection);
    await services.store.remove(t.connection);
  },
};

import { scopeLabel } from '../connections/connectionStore';
import type { CommandSpec } from './command';
import { scopeArg } from './connectionForm';
import { connectionTarget } from './resolve';

/**
 * Removes a connection from settings (the one shown; scripted `target`: from "user" or "workspace"
 * settings) and its password from SecretStorage, unless one of the same name stays; closes its clients.
 */
export const removeConnection: CommandSpec = {
  id: 'redisHashExplorer.removeConnection',
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Remove Connection');
    const { scope: shown, shadowed } = services.store.storage(t.connection);
    const from = (t.plain && scopeArg(t.plain as unknown as Record<string, unknown>)) ?? shown;
    if (!t.scripted && from) {
      const detail = shadowed
        ? `It is removed from ${scopeLabel(from)}. The connection of the same name in user settings stays, with its saved password. The data in Redis is not touched.`
        : `It is removed from ${scopeLabel(from)} and its saved password is deleted too. The data in Redis is not touched.`;
      const answer = await services.prompts.ask(`Remove the connection "${t.connection}"?`, detail, 'Remove');
      if (answer !== 'Remove') return;
    }
    if (from === shown) await services.pool.disconnect(t.connection);
    await services.store.remove(t.connection, from);
  },
};

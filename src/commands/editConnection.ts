import { RedisExplorerError } from '../core/errors';
import type { CommandSpec } from './command';
import { draftFromArgs, reviewConnection } from './connectionForm';
import { connectionTarget } from './resolve';

/**
 * Edits a connection (the review list; scripted: the fields to change, `newName` to rename,
 * `password: ""` to remove the password). Its open clients close: the next use reconnects.
 */
export const editConnection: CommandSpec = {
  id: 'redisHashExplorer.editConnection',
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Edit Connection');
    const current = services.store.get(t.connection);
    const draft = t.plain
      ? draftFromArgs(t.plain as unknown as Record<string, unknown>, current)
      : await reviewConnection(
          { profile: { ...current }, hasPassword: (await services.store.getPassword(current.name)) !== undefined },
          `Edit Connection ${current.name}`,
          (n) => services.store.has(n),
          current.name,
        );
    if (draft.profile.name !== current.name && services.store.has(draft.profile.name)) {
      throw new RedisExplorerError('EXISTS', `A connection named "${draft.profile.name}" exists already.`);
    }
    await services.store.save(draft.profile, current.name);
    if (draft.password !== undefined) await services.store.setPassword(draft.profile.name, draft.password);
    await services.pool.disconnect(current.name);
  },
};

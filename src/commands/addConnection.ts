import { RedisExplorerError } from '../core/errors';
import type { CommandSpec } from './command';
import { askNewConnection, draftFromArgs } from './connectionForm';
import { asPlainTarget } from './target';

/**
 * Adds a connection: to settings (user settings), its password only to SecretStorage.
 * Interactive: paste a URL or host:port, a name, then a review list of every field.
 * Scripted: `{ connection: name, url? | host?, port?, db?, username?, password?, tls?, readOnly?, separator? }`.
 */
export const addConnection: CommandSpec = {
  id: 'redisHashExplorer.addConnection',
  async run(services, arg) {
    const plain = asPlainTarget(arg);
    const draft = plain ? draftFromArgs(plain as unknown as Record<string, unknown>) : await askNewConnection((n) => services.store.has(n));
    if (services.store.has(draft.profile.name)) throw new RedisExplorerError('EXISTS', `A connection named "${draft.profile.name}" exists already.`);
    // The secret first: a connection never shows up without its password.
    await services.store.setPassword(draft.profile.name, draft.password);
    await services.store.save(draft.profile);
  },
};

import { RedisExplorerError } from '../core/errors';
import type { CommandSpec } from './command';
import { assertConnects, saveAndReveal, testBeforeSaving } from './connectionCheck';
import type { ConnectionDraft, FormOptions } from './connectionForm';
import { draftFromArgs, reviewConnection, testFlag } from './connectionForm';
import { connectionTarget } from './resolve';

/**
 * Edits a connection: the review list, whose Save tries the connection first ("Save anyway" or
 * "Edit" when that fails). Scripted: the fields to change, `newName` to rename, `password: ""` to
 * remove the password, `target` to move it to "user" or "workspace" settings, `test: true` to try it
 * first (rejecting, nothing saved, when it does not work). Its open clients close: the next use reconnects.
 */
export const editConnection: CommandSpec = {
  id: 'redisHashExplorer.editConnection',
  async run(services, arg) {
    const store = services.store;
    const t = await connectionTarget(services, arg, 'Edit Connection');
    const current = store.get(t.connection);
    const passwordOf = async (d: ConnectionDraft) => (d.password !== undefined ? d.password || undefined : await store.getPassword(current.name));
    const checkName = (d: ConnectionDraft) => {
      if (d.profile.name !== current.name && store.nameTaken(d.profile.name)) {
        throw new RedisExplorerError('EXISTS', `A connection named "${d.profile.name}" exists already. Nothing was saved.`);
      }
    };
    const save = async (d: ConnectionDraft) => {
      const scope = await store.save(d.profile, { previousName: current.name, scope: d.scope });
      if (d.password !== undefined) await store.setPassword(d.profile.name, d.password);
      return scope;
    };
    if (t.plain) {
      const args = t.plain as unknown as Record<string, unknown>;
      const draft = draftFromArgs(args, current);
      checkName(draft);
      if (testFlag(args, false)) await assertConnects(draft.profile, await passwordOf(draft), draft.sentinelPassword ?? (await store.getSentinelPassword(current.name)));
      await save(draft);
      if (draft.sentinelPassword !== undefined) await store.setSentinelPassword(draft.profile.name, draft.sentinelPassword);
    } else {
      const scope = store.scopeOf(current.name);
      const form: FormOptions = {
        title: `Edit Connection ${current.name}`,
        existing: (n) => store.nameTaken(n),
        originalName: current.name,
        canUseWorkspace: store.hasWorkspace() || scope === 'workspace',
      };
      const hasPassword = (await store.getPassword(current.name)) !== undefined;
      const edited = await reviewConnection({ profile: { ...current }, hasPassword, scope }, form);
      const { draft, outcome } = await testBeforeSaving(edited, passwordOf, (d) => reviewConnection(d, form));
      checkName(draft);
      await saveAndReveal(services, draft.profile.name, outcome, () => save(draft));
    }
    await services.pool.disconnect(current.name);
  },
};

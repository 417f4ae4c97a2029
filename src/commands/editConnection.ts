import { RedisExplorerError } from '../core/errors';
import type { ConnectionSecrets, ConnectionStore, SecretKind } from '../connections/connectionStore';
import { SECRET_KINDS } from '../connections/connectionStore';
import type { CommandSpec } from './command';
import { assertConnects, assertHostKeyGiven, draftSecrets, saveAndReveal, testBeforeSaving } from './connectionCheck';
import type { ConnectionDraft, FormOptions } from './connectionForm';
import { draftFromArgs, reviewConnection, testFlag } from './connectionForm';
import { connectionTarget } from './resolve';

/**
 * Edits a connection: the review list, whose Save tries the connection first ("Save anyway" or
 * "Edit" when that fails). Scripted: the fields to change, `newName` to rename, `password: ""` to
 * remove the password (the SSH and TLS-key secrets alike; `ssh: null` removes SSH), `target` to move it to "user" or "workspace" settings, `test: true` to try it
 * first (rejecting, nothing saved, when it does not work). Its clients opened with the old settings or secrets close
 * (the next use reconnects); one the tree opened with the new ones on the settings change keeps listing.
 */
export const editConnection: CommandSpec = {
  id: 'redisHashExplorer.editConnection',
  async run(services, arg) {
    const store = services.store;
    const t = await connectionTarget(services, arg, 'Edit Connection');
    const current = store.get(t.connection);
    const secretsOf = (d: ConnectionDraft) => draftSecrets(store, d, current.name);
    const checkName = (d: ConnectionDraft) => {
      if (d.profile.name !== current.name && store.nameTaken(d.profile.name)) {
        throw new RedisExplorerError('EXISTS', `A connection named "${d.profile.name}" exists already. Nothing was saved.`);
      }
    };
    // the secrets go with the profile (stored first): the tree lists the edited connection as soon as it changes
    const save = (d: ConnectionDraft) => store.save(d.profile, { previousName: current.name, scope: d.scope, secrets: givenSecrets(d) });
    if (t.plain) {
      const args = t.plain as unknown as Record<string, unknown>;
      const draft = draftFromArgs(args, current);
      checkName(draft);
      const secrets = await secretsOf(draft);
      await assertHostKeyGiven(draft.profile, secrets);
      if (testFlag(args, false)) await assertConnects(draft.profile, secrets);
      await save(draft);
    } else {
      const scope = store.scopeOf(current.name);
      const form: FormOptions = {
        title: `Edit Connection ${current.name}`,
        existing: (n) => store.nameTaken(n),
        originalName: current.name,
        canUseWorkspace: store.hasWorkspace() || scope === 'workspace',
        prompts: services.prompts,
      };
      const stored = await storedSecrets(store, current.name);
      const edited = await reviewConnection({ profile: { ...current }, hasPassword: stored.includes('password'), stored, scope }, form);
      const { draft, outcome } = await testBeforeSaving(services.prompts, edited, secretsOf, (d) => reviewConnection(d, form));
      checkName(draft);
      await saveAndReveal(services, draft.profile.name, outcome, () => save(draft));
    }
    // a changed secret alone fires no settings change: its clients go here
    await services.pool.closeStale(current.name);
  },
};

/** The secrets the draft sets ('' removes one); the others stay as stored. */
function givenSecrets(d: ConnectionDraft): ConnectionSecrets {
  return Object.fromEntries(SECRET_KINDS.map((kind) => [kind, d[kind]]));
}

async function storedSecrets(store: ConnectionStore, name: string): Promise<SecretKind[]> {
  const out: SecretKind[] = [];
  for (const kind of SECRET_KINDS) if ((await store.getSecret(kind, name)) !== undefined) out.push(kind);
  return out;
}

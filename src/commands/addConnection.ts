import { RedisExplorerError } from '../core/errors';
import type { ConnectionStore } from '../connections/connectionStore';
import type { CommandSpec } from './command';
import { assertConnects, assertHostKeyGiven, draftSecrets, saveAndReveal, saveDraftSecrets, testBeforeSaving } from './connectionCheck';
import type { ConnectionDraft } from './connectionForm';
import { askNewConnection, draftFromArgs, reviewConnection, testFlag } from './connectionForm';
import { asPlainTarget } from './target';

const TITLE = 'Add Redis Connection';

/**
 * Adds a connection to settings (user settings unless asked for the workspace's), its password only
 * to SecretStorage, after trying it.
 * Interactive: paste a URL or host:port, a name, then a review list of every field; Save tests the
 * connection and, when that fails, offers "Save anyway" or "Edit".
 * Scripted: `{ connection: name, kind?: "standalone" | "cluster" | "sentinel", url? | host?, port?, nodes?: [{ host, port }],
 * sentinels?: [{ host, port }], masterName?, db?, username?, password?, sentinelPassword?, tls?, readOnly?, readFromReplicas? (cluster), separator?,
 * ssh?: { host, port?, username, privateKeyFile?, agent?, hostKey? }, sshPassword?, sshPassphrase?, tlsKeyPassphrase?,
 * target?: "user" | "workspace", test?: boolean }`: rejects (nothing saved) when the connection does not
 * work, unless `test: false`; through SSH without `ssh.hostKey` it always rejects, naming the server's fingerprint.
 */
export const addConnection: CommandSpec = {
  id: 'redisHashExplorer.addConnection',
  async run(services, arg) {
    const store = services.store;
    const plain = asPlainTarget(arg);
    if (plain) {
      const args = plain as unknown as Record<string, unknown>;
      const draft = draftFromArgs(args);
      const test = testFlag(args, true);
      refuseTaken(store, draft);
      if (draft.scope === 'workspace' && !store.hasWorkspace()) {
        throw new RedisExplorerError('INVALID', `No folder or workspace is open: connection "${draft.profile.name}" can be stored only in user settings. Nothing was saved.`);
      }
      const secrets = await draftSecrets(store, draft);
      await assertHostKeyGiven(draft.profile, secrets);
      if (test) await assertConnects(draft.profile, secrets);
      await saveDraftSecrets(store, draft);
      await saveOrForgetSecrets(store, draft);
      return;
    }
    const canUseWorkspace = store.hasWorkspace();
    const existing = (n: string) => store.nameTaken(n);
    const asked = await askNewConnection(services.prompts, existing, canUseWorkspace);
    const { draft, outcome } = await testBeforeSaving(
      services.prompts,
      asked,
      (d) => draftSecrets(store, d),
      (d) => reviewConnection(d, { title: TITLE, existing, canUseWorkspace, prompts: services.prompts }),
    );
    refuseTaken(store, draft);
    await saveDraftSecrets(store, draft);
    await saveAndReveal(services, draft.profile.name, outcome, () => saveOrForgetSecrets(store, draft));
  },
};

function refuseTaken(store: ConnectionStore, draft: ConnectionDraft): void {
  if (store.nameTaken(draft.profile.name)) throw new RedisExplorerError('EXISTS', `A connection named "${draft.profile.name}" exists already. Nothing was saved.`);
}

/** The secrets are stored first (a connection never shows up without them), and forgotten if the profile cannot be saved. */
async function saveOrForgetSecrets(store: ConnectionStore, draft: ConnectionDraft) {
  try {
    return await store.save(draft.profile, { scope: draft.scope ?? 'user' });
  } catch (err) {
    await store.forgetSecrets(draft.profile.name);
    throw err;
  }
}

import type * as vscode from 'vscode';
import { toExplorerError } from '../core/errors';
import { log } from '../log';
import type { Services } from './services';
import { Cancelled } from './command';
import { hostKeyProblem, trustHostKey } from './sshTrust';

/**
 * A connection the tree opens (the user expanded it) whose SSH server's key is not trusted yet, or changed: the
 * same question as the form's, once per connection, key and session. A scripted call is never asked. Trusted, the fingerprint is saved with
 * the connection (which reconnects); dismissed, the connection stays failed with the message saying why.
 */
export function offerHostKeyTrust(services: Services): vscode.Disposable {
  const asked = new Set<string>();
  return services.pool.onHostKeyProblem(({ name, error }) => {
    const key = hostKeyProblem(error);
    const id = `${name}\u0000${key?.fingerprint ?? ''}`;
    const session = services.tree.connectionNode(name)?.session;
    if (!key || asked.has(id) || !(session?.opening || session?.started)) return;
    asked.add(id);
    void (async () => {
      const profile = services.store.get(name);
      const draft = await trustHostKey(services.prompts, { profile: { ...profile }, hasPassword: false }, key);
      await services.store.save(draft.profile, { previousName: name });
      log.info(`[${name}] SSH host key ${key.fingerprint} trusted`);
      await services.tree.retry(name).catch(() => undefined);
    })().catch((err: unknown) => {
      if (!(err instanceof Cancelled)) log.error(`[${name}] trusting the SSH host key failed: ${toExplorerError(err).message}`);
    });
  });
}

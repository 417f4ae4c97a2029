import type { ConnectionScope, ConnectionSecrets, ConnectionStore } from '../connections/connectionStore';
import { SECRET_KINDS, scopeLabel } from '../connections/connectionStore';
import type { ConnectionTestOutcome } from '../core/connectionTest';
import { testConnection } from '../core/connectionTest';
import { RedisExplorerError } from '../core/errors';
import type { ConnectionProfile } from '../core/profile';
import { log } from '../log';
import type { Services } from './services';
import { Cancelled } from './command';
import type { ConnectionDraft } from './connectionForm';
import { hostKeyProblem, trustHostKey } from './sshTrust';
import type { PromptLayer } from './prompts';

/*
 * Add and Edit Connection try a connection before they save it: a scripted call rejects when it
 * does not connect (nothing saved); the form asks "Save anyway" or "Edit" and, once saved, reveals it.
 */

/** The secrets a draft is tried with: those it sets ('' none), else those stored under `storedName` (an edit). */
export async function draftSecrets(store: ConnectionStore, draft: ConnectionDraft, storedName?: string): Promise<ConnectionSecrets> {
  const out: ConnectionSecrets = {};
  for (const kind of SECRET_KINDS) {
    const given = draft[kind];
    out[kind] = given !== undefined ? given || undefined : storedName ? await store.getSecret(kind, storedName) : undefined;
  }
  return out;
}

/** Stores the secrets the draft sets ('' removes one) under its name; the others stay as they are. */
export async function saveDraftSecrets(store: ConnectionStore, draft: ConnectionDraft): Promise<void> {
  for (const kind of SECRET_KINDS) if (draft[kind] !== undefined) await store.setSecret(kind, draft.profile.name, draft[kind]);
}

/**
 * Scripted: an SSH server is never trusted without its fingerprint in ssh.hostKey: without one, the call is
 * refused (tested or not) with the fingerprint the server offers, so the script can pass it once checked.
 */
export async function assertHostKeyGiven(profile: ConnectionProfile, secrets: ConnectionSecrets): Promise<void> {
  if (!profile.ssh || profile.ssh.hostKey) return;
  const outcome = await testConnection(profile, secrets);
  const hop = `${profile.ssh.host}:${profile.ssh.port ?? 22}`;
  const fingerprint = outcome.kind === 'failed' ? hostKeyProblem(outcome.error)?.fingerprint : undefined;
  if (fingerprint) {
    throw new RedisExplorerError(
      'INVALID',
      `Connection "${profile.name}" was not saved: the SSH server ${hop} is not trusted yet. Its host key fingerprint is ${fingerprint}: check it on the server (ssh-keygen -l -E sha256 -f <host key>.pub) and pass it as "ssh.hostKey".`,
    );
  }
  const why = outcome.kind === 'failed' ? outcome.error.message : 'the test was cancelled.';
  throw new RedisExplorerError('INVALID', `Connection "${profile.name}" was not saved: "ssh.hostKey" (the SSH server's fingerprint) is needed, and ${hop} did not show its key: ${why}`);
}

/** Scripted: tries the profile; rejects with what failed, saying nothing was saved. */
export async function assertConnects(profile: ConnectionProfile, secrets: ConnectionSecrets): Promise<void> {
  const outcome = await testConnection(profile, secrets);
  if (outcome.kind === 'ok') return;
  const reason = outcome.kind === 'failed' ? outcome.error.message : 'the test was cancelled.';
  throw new RedisExplorerError(
    outcome.kind === 'failed' ? outcome.error.code : 'UNKNOWN',
    `Connection "${profile.name}" was not saved: ${reason} (Pass "test": false to save it without trying it.)`,
    outcome.kind === 'failed' ? outcome.error.detail : undefined,
  );
}

/**
 * Interactive: tries the draft under a notification with Cancel. When it fails or is cancelled, asks
 * "Save anyway" or "Edit" (back to the form, then tries again); dismissing that stops the command.
 */
export async function testBeforeSaving(
  prompts: PromptLayer,
  first: ConnectionDraft,
  secretsOf: (draft: ConnectionDraft) => Promise<ConnectionSecrets>,
  edit: (draft: ConnectionDraft) => Promise<ConnectionDraft>,
): Promise<{ draft: ConnectionDraft; outcome: ConnectionTestOutcome }> {
  let draft = first;
  for (;;) {
    const profile = { ...draft.profile };
    const secrets = await secretsOf(draft);
    const outcome = await prompts.progress(`Testing connection "${profile.name}" (${profile.host}:${profile.port})…`, (signal) => testConnection(profile, { ...secrets, signal }));
    if (outcome.kind === 'ok') return { draft, outcome };
    // An SSH server's key: trusted (then tried again) or not (nothing saved), never "saved anyway".
    const key = outcome.kind === 'failed' ? hostKeyProblem(outcome.error) : undefined;
    if (key) {
      draft = await trustHostKey(prompts, draft, key);
      continue;
    }
    if (outcome.kind === 'failed') log.warn(`[${profile.name}] test before saving failed: ${outcome.error.message}`);
    const message = outcome.kind === 'failed' ? `Cannot connect with "${profile.name}": ${outcome.error.message}` : `The test of "${profile.name}" was cancelled.`;
    const answer = await prompts.ask(message, 'Nothing is saved yet. Save it as it is, or go back and edit it?', 'Save anyway', 'Edit');
    if (answer === 'Save anyway') return { draft, outcome };
    if (answer !== 'Edit') throw new Cancelled();
    draft = await edit(draft);
  }
}

/** Runs `save`, says how it went, and reveals the connection in the tree once the tree has it. */
export async function saveAndReveal(services: Services, name: string, outcome: ConnectionTestOutcome, save: () => Promise<ConnectionScope>): Promise<void> {
  let changed = false;
  const sub = services.store.onDidChange(() => (changed = true));
  let scope: ConnectionScope;
  try {
    scope = await save();
    // The tree re-reads the list on this event (it subscribed first); an unchanged profile fires none.
    if (!changed) await once(services.store.onDidChange, 2000);
  } finally {
    sub.dispose();
  }
  services.prompts.inform(
    outcome.kind === 'ok'
      ? `Connected to "${name}"${outcome.info ? ` (Redis ${outcome.info.version})` : ''} and saved it in ${scopeLabel(scope)}.`
      : `Saved "${name}" in ${scopeLabel(scope)} without a working connection.`,
  );
  const node = services.tree.connectionNode(name);
  if (!node) return;
  try {
    await services.treeView.reveal(node, { select: true, focus: false, expand: false });
  } catch (err) {
    log.warn(`[${name}] could not reveal the connection: ${(err as Error).message}`);
  }
}

function once(event: (listener: () => void) => { dispose(): void }, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const sub = event(done);
    function done(): void {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });
}

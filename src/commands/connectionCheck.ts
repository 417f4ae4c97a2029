import type { ConnectionScope } from '../connections/connectionStore';
import { scopeLabel } from '../connections/connectionStore';
import type { ConnectionTestOutcome } from '../core/connectionTest';
import { testConnection } from '../core/connectionTest';
import { RedisExplorerError } from '../core/errors';
import type { ConnectionProfile } from '../core/profile';
import { log } from '../log';
import type { Services } from '../services';
import { Cancelled } from './command';
import type { ConnectionDraft } from './connectionForm';
import { prompts } from './prompts';

/*
 * Add and Edit Connection try a connection before they save it: a scripted call rejects when it
 * does not connect (nothing saved); the form asks "Save anyway" or "Edit" and, once saved, reveals it.
 */

/** Scripted: tries the profile; rejects with what failed, saying nothing was saved. */
export async function assertConnects(profile: ConnectionProfile, password: string | undefined, sentinelPassword?: string): Promise<void> {
  const outcome = await testConnection(profile, { password, sentinelPassword });
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
  first: ConnectionDraft,
  passwordOf: (draft: ConnectionDraft) => Promise<string | undefined>,
  edit: (draft: ConnectionDraft) => Promise<ConnectionDraft>,
): Promise<{ draft: ConnectionDraft; outcome: ConnectionTestOutcome }> {
  let draft = first;
  for (;;) {
    const profile = { ...draft.profile };
    const password = await passwordOf(draft);
    const outcome = await prompts.progress(`Testing connection "${profile.name}" (${profile.host}:${profile.port})…`, (signal) => testConnection(profile, { password, signal }));
    if (outcome.kind === 'ok') return { draft, outcome };
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
  prompts.inform(
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

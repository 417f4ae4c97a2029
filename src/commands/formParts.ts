import type * as vscode from 'vscode';
import type { ConnectionProfile } from '../core/profile';
import type { ConnectionScope, SecretKind } from '../connections/connectionStore';

/* What the connection form (connectionForm.ts) and its SSH and TLS lines (sshForm.ts, tlsForm.ts) share. */

export interface ConnectionDraft {
  profile: ConnectionProfile;
  /** undefined: keep what is stored; '': remove; else the new password (SecretStorage only) */
  password?: string;
  /** sentinel, scripted only: the sentinels' password, as `password` */
  sentinelPassword?: string;
  /** SSH log-in (password, or the private key's passphrase) and the TLS client key's passphrase, as `password` */
  sshPassword?: string;
  sshPassphrase?: string;
  tlsKeyPassphrase?: string;
  /** the secrets stored now (for the form's labels) */
  stored?: SecretKind[];
  /** whether a password is stored now (for the form's label) */
  hasPassword: boolean;
  /** where to store it; undefined: where it is now, a new one in user settings */
  scope?: ConnectionScope;
}

export interface FormItem extends vscode.QuickPickItem {
  edit?: () => Promise<void>;
  save?: true;
}

/** An InputBox of the form: its prompt, the current value, a check; resolves with the answer (rejects on Escape). */
export type Ask = (prompt: string, value: string, validate?: (v: string) => string | undefined, password?: boolean) => Promise<string>;

/** The message `fn` throws, or undefined (an InputBox's validateInput). */
export function messageOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

import * as vscode from 'vscode';
import type { RedisConnection } from '../core/connection';
import { pickField, pickKey } from './pickers';

/**
 * Every question a command or view asks goes through this small layer: one place decides how it is asked.
 * Scripted calls (plain-object argument) never reach it.
 */
export interface PromptLayer {
  /** An InputBox; undefined when dismissed. */
  input(options: vscode.InputBoxOptions): Promise<string | undefined>;
  /** A QuickPick over known items; undefined when dismissed. */
  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined>;
  /** A modal question with buttons; undefined when cancelled. */
  ask<T extends string>(message: string, detail: string | undefined, ...buttons: T[]): Promise<T | undefined>;
  /** A key, picked from SCAN pages (typing narrows with MATCH) or typed in; never lists the whole keyspace. */
  pickKey(conn: RedisConnection, options: { hashesOnly: boolean; title: string }): Promise<Buffer | undefined>;
  /** A field of a hash, picked from HSCAN pages or typed in. */
  pickField(conn: RedisConnection, key: Buffer, options: { title: string; noValues?: boolean }): Promise<Buffer | undefined>;
  /** Runs a task under a notification with a Cancel button; the signal aborts on Cancel; `report` updates its message. */
  progress<T>(title: string, task: (signal: AbortSignal, report?: (message: string) => void) => Promise<T>): Promise<T>;
  /** A file to write (save dialog); undefined when dismissed. */
  saveFile(options: vscode.SaveDialogOptions): Promise<vscode.Uri | undefined>;
  /** A file to read (open dialog); undefined when dismissed. */
  openFile(options: vscode.OpenDialogOptions): Promise<vscode.Uri | undefined>;
  /** A short information message (no answer awaited). */
  inform(message: string): void;
  /** A warning that offers a fix (not modal); undefined when dismissed. */
  offer<T extends string>(message: string, ...buttons: T[]): Promise<T | undefined>;
}

const defaults: PromptLayer = {
  input: async (options) => vscode.window.showInputBox({ ignoreFocusOut: true, ...options }),
  pick: async (items, options) => vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options }),
  ask: async (message, detail, ...buttons) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons),
  pickKey,
  pickField,
  progress: async (title, task) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      try {
        return await task(controller.signal, (message) => progress.report({ message }));
      } finally {
        sub.dispose();
      }
    }),
  saveFile: async (options) => vscode.window.showSaveDialog(options),
  openFile: async (options) => (await vscode.window.showOpenDialog({ canSelectMany: false, ...options }))?.[0],
  inform: (message) => void vscode.window.showInformationMessage(message),
  offer: async (message, ...buttons) => vscode.window.showWarningMessage(message, ...buttons),
};

/** VS Code's own dialogs: the prompt layer activate() builds and passes on in Services. */
export function defaultPrompts(): PromptLayer {
  return { ...defaults };
}

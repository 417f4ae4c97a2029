import * as vscode from 'vscode';

/** The "Redis Hash Explorer" log channel. Details go here; users see short messages. Never log a password. */
let channel: vscode.LogOutputChannel | undefined;

export function createLog(): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel('Redis Hash Explorer', { log: true });
  return channel;
}

export const log = {
  info: (message: string, ...args: unknown[]) => channel?.info(message, ...args),
  warn: (message: string, ...args: unknown[]) => channel?.warn(message, ...args),
  error: (message: string | Error, ...args: unknown[]) => channel?.error(message, ...args),
  show: () => channel?.show(true),
};

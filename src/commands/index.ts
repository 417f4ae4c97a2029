import type * as vscode from 'vscode';
import type { Services } from '../services';
import type { CommandSpec } from './command';
import { registerCommand } from './command';

/** Every command, one file each. */
const commands: CommandSpec[] = [
  // (commands are added here, one import per file)
];

export function registerCommands(services: Services): vscode.Disposable[] {
  return commands.map((c) => registerCommand(services, c));
}

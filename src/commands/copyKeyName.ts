import * as vscode from 'vscode';
import { bytesText } from '../tree/labels';
import type { CommandSpec } from './command';
import { keyTarget, selectedNodes } from './resolve';

const ID = 'redisHashExplorer.copyKeyName';

/** Copies the key name (several selected keys: one per line). Names that are not UTF-8 are copied escaped. */
export const copyKeyName: CommandSpec = {
  id: ID,
  async run(services, arg, selection) {
    const nodes = selectedNodes(arg, selection, 'key');
    const keys = nodes.length ? nodes.map((n) => n.key) : [(await keyTarget(services, arg, ID, 'Copy Key Name', services.tree.settings().onlyHashes)).key];
    await vscode.env.clipboard.writeText(keys.map(bytesText).join('\n'));
    if (nodes.length) vscode.window.setStatusBarMessage(keys.length === 1 ? 'Copied the key name' : `Copied ${keys.length} key names`, 3000);
  },
};

import * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import { getField } from '../core/hashOps';
import { nameForMessage } from '../core/codec';
import { bytesText } from '../tree/labels';
import type { CommandSpec } from './command';
import { client, fieldTarget } from './resolve';

const ID = 'redisHashExplorer.copyValue';

/** Copies a field's current value (read now, not the possibly older preview): UTF-8 as is, else escaped. */
export const copyValue: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await fieldTarget(services, arg, ID, 'Copy Value');
    const value = await getField(await client(services, t), t.key, t.field);
    if (value === null) throw new RedisExplorerError('NOT_FOUND', `Field "${nameForMessage(t.field)}" does not exist in "${nameForMessage(t.key)}".`);
    await vscode.env.clipboard.writeText(bytesText(value));
    if (!t.scripted) vscode.window.setStatusBarMessage(`Copied the value of "${nameForMessage(t.field)}"`, 3000);
  },
};

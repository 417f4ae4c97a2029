import * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import { getField } from '../core/hashOps';
import { bytesText } from '../tree/labels';
import type { CommandSpec } from './command';
import { client, fieldTarget, shown } from './resolve';

const ID = 'redisHashExplorer.copyValue';

/** Copies a field's current value (read now, not the possibly older preview): UTF-8 as is, else escaped. */
export const copyValue: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await fieldTarget(services, arg, ID, 'Copy Value');
    const value = await getField(await client(services, t), t.key, t.field);
    if (value === null) throw new RedisExplorerError('NOT_FOUND', `Field "${shown(t.field)}" does not exist in "${shown(t.key)}".`);
    await vscode.env.clipboard.writeText(bytesText(value));
    if (!t.scripted) vscode.window.setStatusBarMessage(`Copied the value of "${shown(t.field)}"`, 3000);
  },
};

import * as vscode from 'vscode';
import { RedisExplorerError } from '../core/errors';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { connectionTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.selectDatabase';

/** Chooses the database a connection shows (0..N-1, with key counts from INFO keyspace). */
export const selectDatabase: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Select Database');
    if (services.store.get(t.connection).kind === 'cluster') {
      throw new RedisExplorerError('INVALID', `"${t.connection}" is a cluster connection: a cluster has only database 0, so there is no database to select. Nothing was changed.`);
    }
    const info = await services.pool.refreshInfo(t.connection);
    let db: number;
    if (t.plain) {
      db = required(t.plain, 'db', ID);
    } else {
      const current = services.pool.selectedDb(t.connection);
      const items = Array.from({ length: info.databases }, (_, i) => {
        const keys = info.keyspace.get(i) ?? 0;
        return { label: `${i === current ? '$(check) ' : ''}db${i}`, description: `${keys.toLocaleString('en-US')} ${keys === 1 ? 'key' : 'keys'}`, db: i };
      });
      db = orCancel(await services.prompts.pick(items, { title: `Select Database — ${t.connection}`, placeHolder: 'Database' })).db;
    }
    // The server is asked (SELECT), not INFO: CONFIG may be refused, and then the count is a guess.
    await services.pool.get(t.connection, db);
    const previous = services.pool.selectedDb(t.connection);
    // A key filter written for one database's keys would silently hide another's: clear it, and say so.
    const filter = db !== previous ? services.tree.filterOf(t.connection) : undefined;
    if (filter) services.tree.setFilter(t.connection, undefined);
    services.pool.selectDb(t.connection, db);
    if (filter && !t.plain) void vscode.window.showInformationMessage(`${t.connection} now shows db${db}; its key filter "${filter}" was cleared.`);
    return { db, clearedFilter: filter };
  },
};

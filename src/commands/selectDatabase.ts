import { RedisExplorerError } from '../core/errors';
import type { CommandSpec } from './command';
import { orCancel } from './command';
import { prompts } from './prompts';
import { connectionTarget } from './resolve';
import { required } from './target';

const ID = 'redisHashExplorer.selectDatabase';

/** Chooses the database a connection shows (0..N-1, with key counts from INFO keyspace). */
export const selectDatabase: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Select Database');
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
      db = orCancel(await prompts.pick(items, { title: `Select Database — ${t.connection}`, placeHolder: 'Database' })).db;
    }
    if (db >= info.databases) throw new RedisExplorerError('INVALID', `The server has databases 0 to ${info.databases - 1}; there is no db${db}.`);
    services.pool.selectDb(t.connection, db);
  },
};

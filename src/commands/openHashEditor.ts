import type { CommandSpec } from './command';
import { keyTarget } from './resolve';

const ID = 'redisHashExplorer.openHashEditor';

/**
 * Opens a hash in an editor tab (or reveals the tab it already has): from a hash key node, from the palette
 * (connection, then a key picked from SCAN TYPE hash pages), or scripted with { connection, db?, key }.
 * Resolves (with nothing) once the tab is open and the first page of fields is loaded.
 */
export const openHashEditor: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Open Hash Editor', true);
    await services.editors.open({ connection: t.connection, db: t.db, key: t.key });
  },
};

import { countFolder, deleteFolder as deleteFolderOp } from '../core/folderDelete';
import { nameForMessage } from '../core/codec';
import type { CommandSpec } from './command';
import { client } from './resolve';
import { count, folderTarget, withProgress } from './transferSupport';

const ID = 'redisHashExplorer.deleteFolder';

/** Deleting more keys than this asks the user to type the folder's name. */
const TYPED_CONFIRM_OVER = 1000;

/**
 * Deletes every key under a tree folder (its key prefix; only hashes when the tree shows only hashes):
 * counted first, confirmed with the count (typed name above 1,000 keys), then UNLINK in batches with
 * progress and Cancel. Scripted: `{ connection, db?, prefix }` asks nothing and resolves with `{ deleted }`.
 */
export const deleteFolder: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await folderTarget(services, arg, ID, 'Delete Keys in Folder');
    const conn = await client(services, t);
    conn.assertWritable();
    const name = nameForMessage(t.prefix);
    const type = services.tree.settings().onlyHashes ? 'hash' : undefined;
    const what = type ? 'hash key' : 'key';
    if (!t.scripted) {
      const counted = await services.prompts.progress(`Counting the keys under "${name}"`, (signal, report) =>
        countFolder(conn, t.prefix, { type }, { signal, onProgress: (n) => report?.(`${count(n, what)} so far`) }),
      );
      if (counted.cancelled) return undefined;
      if (counted.count === 0) {
        services.prompts.inform(`There is no ${what} under "${name}" on ${conn.where}.`);
        return undefined;
      }
      const message = `Delete ${count(counted.count, what)} under "${name}" (${conn.where})?`;
      if (counted.count > TYPED_CONFIRM_OVER) {
        const typed = await services.prompts.input({ title: message, prompt: `This cannot be undone. Type the folder's name, "${name}", to delete them`, validateInput: (v) => (v === name ? undefined : 'Type the folder name exactly') });
        if (typed !== name) return undefined;
      } else if ((await services.prompts.ask(message, 'This cannot be undone.', 'Delete')) !== 'Delete') return undefined;
    }
    const r = await withProgress(services.prompts, t.scripted, `Deleting the keys under "${name}"`, (signal, report) =>
      deleteFolderOp(conn, t.prefix, { type }, { signal, onProgress: (n) => report(`${count(n, what)} deleted`) }),
    );
    // the connection scans again: a folder's own refresh only re-reads the keys it holds, so it stayed in the tree
    const shownNode = services.tree.connectionNode(t.connection);
    if (shownNode) services.tree.refresh(shownNode);
    if (t.scripted) return { deleted: r.deleted };
    services.prompts.inform(r.cancelled ? `Cancelled: ${count(r.deleted, what)} under "${name}" were deleted before Cancel; the rest are still there.` : `Deleted ${count(r.deleted, what)} under "${name}" (${conn.where}).`);
    return undefined;
  },
};

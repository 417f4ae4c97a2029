import type * as vscode from 'vscode';
import type { Services } from './services';
import type { CommandSpec } from './command';
import { registerCommand } from './command';
import { addConnection } from './addConnection';
import { editConnection } from './editConnection';
import { removeConnection } from './removeConnection';
import { selectDatabase } from './selectDatabase';
import { disconnect } from './disconnect';
import { retryConnection } from './retryConnection';
import { refresh } from './refresh';
import { filterKeys } from './filterKeys';
import { clearFilter } from './clearFilter';
import { loadMore } from './loadMore';
import { stopScan } from './stopScan';
import { addHash } from './addHash';
import { deleteKey } from './deleteKey';
import { renameKey } from './renameKey';
import { setTtl } from './setTtl';
import { setFieldTtl } from './setFieldTtl';
import { copyKeyName } from './copyKeyName';
import { addField } from './addField';
import { editField } from './editField';
import { renameField } from './renameField';
import { deleteField } from './deleteField';
import { copyValue } from './copyValue';
import { openHashEditor } from './openHashEditor';
import { exportHash } from './exportHash';
import { importHash } from './importHash';
import { exportFolder } from './exportFolder';
import { deleteFolder } from './deleteFolder';
import { copyKeyAsCommands } from './copyKeyAsCommands';
import { deleteFields } from './deleteFields';
import { setFieldsTtl } from './setFieldsTtl';
import { exportFields } from './exportFields';
import { pauseLiveUpdates, resumeLiveUpdates } from './liveUpdates';
import { offerClusterSwitch } from './clusterOffer';
import { offerHostKeyTrust } from './hostKeyOffer';

/** Every command, one file each. */
const commands: CommandSpec[] = [
  // (commands are added here, one import per file)
  addConnection,
  editConnection,
  removeConnection,
  selectDatabase,
  disconnect,
  retryConnection,
  refresh,
  filterKeys,
  clearFilter,
  loadMore,
  stopScan,
  addHash,
  deleteKey,
  renameKey,
  setTtl,
  copyKeyName,
  addField,
  editField,
  renameField,
  deleteField,
  setFieldTtl,
  copyValue,
  openHashEditor,
  exportHash,
  importHash,
  exportFolder,
  deleteFolder,
  copyKeyAsCommands,
  deleteFields,
  setFieldsTtl,
  exportFields,
  pauseLiveUpdates,
  resumeLiveUpdates,
];

export function registerCommands(services: Services): vscode.Disposable[] {
  return [...commands.map((c) => registerCommand(services, c)), offerHostKeyTrust(services), offerClusterSwitch(services)];
}

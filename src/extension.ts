import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { defaultPrompts } from './commands/prompts';
import { ChangeBus } from './connections/changes';
import { ConnectionStore } from './connections/connectionStore';
import { LiveUpdates } from './connections/live';
import { ConnectionPool } from './connections/pool';
import { FieldFileSystem, registerFieldFileSystem } from './documents/fieldFileSystem';
import { HashEditorManager } from './hashEditor/manager';
import { createLog } from './log';
import { createTestHooks } from './testHooks';
import type { Services } from './commands/services';
import type { BaseServices } from './services';
import { createKeyTree } from './tree';
import { followExpandedKeys } from './tree/liveTree';
import { KeyMemory } from './tree/recall';

/** Wires the parts together; no logic here. Returns the hooks extension-host tests reach in through (the only ones). */
export function activate(context: vscode.ExtensionContext) {
  const prompts = defaultPrompts();
  const store = new ConnectionStore(context.secrets);
  const pool = new ConnectionPool(store);
  const changes = new ChangeBus();
  const keyTree = createKeyTree(store, pool, changes, new KeyMemory(context.workspaceState));
  const live = new LiveUpdates(pool, context.globalState);
  const views: BaseServices = { context, store, pool, changes, tree: keyTree.state, treeView: keyTree.view, live, prompts };
  const services: Services = { ...views, editors: new HashEditorManager(views), fieldDocuments: new FieldFileSystem(views) };
  context.subscriptions.push(
    createLog(),
    store,
    pool,
    changes,
    live,
    keyTree,
    followExpandedKeys(keyTree.view, keyTree.state, live),
    services.editors,
    registerFieldFileSystem(services.fieldDocuments),
    ...registerCommands(services),
  );
  return { testHooks: createTestHooks(services, keyTree.provider) };
}

export function deactivate(): void {}

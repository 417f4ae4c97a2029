import type { ConnectionPool } from '../connections/pool';
import type { TreeSettings } from './loading';
import type { ConnectionNode, TreeNode } from './nodes';
import type { KeyMemory } from './recall';

/**
 * What the tree's parts (children, scanning, changes, live keys) need from the tree's state: its settings,
 * filters and server capabilities, the connection nodes, and refreshes. The state (state.ts) provides it; the
 * parts import only this, so none of them imports the state back.
 */
export interface TreeContext {
  readonly pool: ConnectionPool;
  /** the hash keys each connection showed last time (recall.ts) */
  readonly memory: KeyMemory;
  settings(): TreeSettings;
  filterOf(name: string): string | undefined;
  /** SCAN … TYPE works on the server */
  scansByType(name: string): boolean;
  /** the server has field TTLs */
  hasFieldTtl(name: string): boolean;
  connectionNode(name: string): ConnectionNode | undefined;
  /** refreshes nodes (undefined: everything) */
  fire(nodes: TreeNode | TreeNode[] | undefined): void;
}

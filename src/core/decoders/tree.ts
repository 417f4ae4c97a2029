import type { TreeNode } from '../../shared/decoded';

/** Nodes sent to the value pane at most; the rest is counted in `more`. */
const MAX_TREE_NODES = 5000;

/** A decoded structure as a tree for the value pane (depth was checked before). */
export function toTree(value: unknown, budget = { left: MAX_TREE_NODES }): TreeNode {
  budget.left--;
  if (value === null || value === undefined) return { t: 'null', v: 'null' };
  if (typeof value === 'string') return { t: 'string', v: value.length > 2000 ? `${value.slice(0, 2000)}…` : value };
  if (typeof value === 'number' || typeof value === 'bigint') return { t: 'number', v: String(value) };
  if (typeof value === 'boolean') return { t: 'bool', v: String(value) };
  if (value instanceof Uint8Array) return { t: 'bytes', v: `${value.length} bytes: ${Buffer.from(value.subarray(0, 64)).toString('hex')}${value.length > 64 ? '…' : ''}` };
  if (typeof value !== 'object') return { t: typeof value, v: String(value) };
  const entries: Array<[string, unknown]> =
    value instanceof Map ? [...value.entries()].map(([k, v]) => [keyText(k), v]) : Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const t = Array.isArray(value) ? 'array' : typeof (value as { $class?: unknown }).$class === 'string' ? 'class' : 'object';
  const c: TreeNode[] = [];
  let more = 0;
  for (const [k, v] of entries) {
    if (budget.left <= 0) {
      more++;
      continue;
    }
    c.push({ k, ...toTree(v, budget) });
  }
  return more ? { t, c, more } : { t, c };
}

function keyText(k: unknown): string {
  if (k instanceof Uint8Array) return `0x${Buffer.from(k).toString('hex')}`;
  return typeof k === 'object' ? JSON.stringify(k) : String(k);
}

import type { CommandSpec } from './command';
import { orCancel } from './command';
import { connectionTarget } from './resolve';

/**
 * Filters a connection's keys by a glob pattern (SCAN MATCH: `user:*`, `*:cart`, `order:[0-9]*`);
 * an empty pattern clears it. Scripted: `{ connection, value: pattern }`.
 */
export const filterKeys: CommandSpec = {
  id: 'redisHashExplorer.filterKeys',
  async run(services, arg) {
    const t = await connectionTarget(services, arg, 'Filter Keys');
    services.store.get(t.connection);
    const current = services.tree.filterOf(t.connection);
    const pattern = t.plain
      ? (t.plain.value ?? '')
      : orCancel(
          await services.prompts.input({
            title: `Filter keys of ${t.connection}`,
            prompt: 'Glob pattern (SCAN MATCH): * any text, ? one character, [abc] one of. Empty clears the filter.',
            value: current ?? '*',
          }),
        );
    services.tree.setFilter(t.connection, pattern && pattern !== '*' ? pattern : undefined);
  },
};

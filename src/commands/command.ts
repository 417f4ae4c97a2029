import * as vscode from 'vscode';
import { RedisExplorerError, toExplorerError } from '../core/errors';
import { log } from '../log';
import { Cancelled } from './cancel';
import type { Services } from './services';
import { asPlainTarget, checkTakes } from './target';

export { Cancelled, orCancel } from './cancel';

export interface CommandSpec {
  id: string;
  /** `arg` is a tree node, a plain CommandTarget, or undefined (palette); `selection` is the tree's multi-selection. */
  run(services: Services, arg: unknown, selection: unknown): Promise<unknown>;
}

/**
 * Registers a command behind the one error wrapper: a user sees a short message, the log gets the details.
 * A scripted call (plain-object argument) rejects with that message instead, so its caller can act on it.
 */
export function registerCommand(services: Services, spec: CommandSpec): vscode.Disposable {
  return vscode.commands.registerCommand(spec.id, async (arg: unknown, selection: unknown) => {
    let scripted = false;
    try {
      scripted = asPlainTarget(arg) !== undefined;
      checkTakes(spec.id, arg);
    } catch (err) {
      scripted = true;
      return report(spec.id, err, true);
    }
    try {
      return await spec.run(services, arg, selection);
    } catch (err) {
      if (err instanceof Cancelled) return undefined;
      return report(spec.id, err, scripted);
    }
  });
}

function report(id: string, err: unknown, scripted: boolean): undefined {
  const e = toExplorerError(err);
  const cause = e.detail instanceof Error ? e.detail : err instanceof Error && !(err instanceof RedisExplorerError) ? err : undefined;
  log.error(`${id}: ${e.message}${cause?.stack ? `\n${cause.stack}` : ''}`);
  if (scripted) throw new Error(e.message);
  void vscode.window.showErrorMessage(e.message, 'Show Log').then((choice) => {
    if (choice) log.show();
  });
  return undefined;
}

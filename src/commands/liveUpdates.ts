import * as vscode from 'vscode';
import type { CommandSpec } from './command';

/** Pauses live updates in every view (the watch connections close); each view keeps what it shows. */
export const pauseLiveUpdates: CommandSpec = {
  id: 'redisHashExplorer.pauseLiveUpdates',
  async run(services) {
    await services.live.setPaused(true);
    void vscode.window.setStatusBarMessage('Redis Hash Explorer: live updates paused', 3000);
  },
};

/** Resumes live updates everywhere: each open view re-reads what it shows (changes meanwhile were not followed). */
export const resumeLiveUpdates: CommandSpec = {
  id: 'redisHashExplorer.resumeLiveUpdates',
  async run(services) {
    await services.live.setPaused(false);
    void vscode.window.setStatusBarMessage('Redis Hash Explorer: live updates resumed', 3000);
  },
};

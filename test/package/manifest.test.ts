import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/* What the Marketplace and VS Code read from package.json points at files that exist and commands that do. */

const root = join(__dirname, '..', '..', '..');

interface Step {
  id: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}

interface Manifest {
  icon: string;
  contributes: {
    commands: Array<{ command: string }>;
    views: Record<string, Array<{ id: string; name: string }>>;
    viewsContainers: { activitybar: Array<{ id: string; title: string }> };
    walkthroughs: Array<{ id: string; steps: Step[] }>;
  };
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

describe('manifest', () => {
  it('has a 128x128 PNG icon', () => {
    const png = readFileSync(join(root, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });

  it('a walkthrough whose steps show files that exist and run commands that exist', () => {
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    const steps = manifest.contributes.walkthroughs.flatMap((w) => w.steps);
    assert.ok(steps.length >= 3);
    for (const step of steps) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(media && existsSync(join(root, media)), `${step.id}: ${media} is missing`);
      for (const m of step.description.matchAll(/\(command:([\w.]+)\)/g)) {
        if (m[1].startsWith('redisHashExplorer.')) assert.ok(commands.has(m[1]), `${step.id} links to ${m[1]}, which is not a command`);
      }
      for (const e of step.completionEvents ?? []) {
        const c = /^onCommand:(.+)$/.exec(e);
        if (c) assert.ok(commands.has(c[1]), `${step.id} completes on ${c[1]}, which is not a command`);
      }
    }
  });

  it('a view title that fits a sidebar: the view is named like its container, so VS Code shows the name once', () => {
    const container = manifest.contributes.viewsContainers.activitybar.find((c) => c.id === 'redisHashExplorer');
    const view = manifest.contributes.views.redisHashExplorer.find((v) => v.id === 'redisHashExplorer.keys');
    assert.equal(view?.name, container?.title);
    assert.ok((container?.title.length ?? 99) <= 20);
  });
});

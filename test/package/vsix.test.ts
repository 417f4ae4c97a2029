import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The .vsix must hold only what runs: bundles, media, manifest and docs. */
describe('packaged .vsix', () => {
  const vsix = join(__dirname, '..', '..', '..', 'dist', 'redis-hash-explorer.vsix');

  it('exists (npm run package ran)', () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run npm run package`);
  });

  it('holds only the bundles, media/, package.json, README, LICENSE and CHANGELOG', () => {
    const listing = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const files = listing.filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length));
    const allowed = [
      /^dist\/extension\.js$/,
      /^dist\/decoders\.js$/,
      /^dist\/zstd\.wasm$/,
      /^dist\/webview\.js$/,
      /^dist\/codicons\/codicon\.(css|ttf)$/,
      /^media\/[^/]+\.(svg|png|css)$/,
      /^media\/walkthrough\/[^/]+\.md$/,
      /^package\.json$/,
      /^readme\.md$/i,
      /^license(\.txt|\.md)?$/i,
      /^changelog\.md$/i,
    ];
    const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
    assert.deepEqual(unexpected, [], `unexpected files in the .vsix: ${unexpected.join(', ')}`);
    for (const must of ['dist/extension.js', 'dist/decoders.js', 'dist/zstd.wasm', 'dist/webview.js', 'package.json', 'readme.md', 'LICENSE.txt', 'changelog.md']) {
      assert.ok(files.some((f) => f.toLowerCase() === must.toLowerCase()), `${must} missing from the .vsix (has: ${files.join(', ')})`);
    }
    assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps');
  });

  it('ships only media the manifest or a bundle uses (not the icon\'s SVG source)', () => {
    const files = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter((f) => f.startsWith('extension/media/'));
    const users = ['package.json', 'dist/extension.js', 'dist/webview.js'].map((f) => execFileSync('unzip', ['-p', vsix, `extension/${f}`], { encoding: 'utf8' })).join('\n');
    const unused = files.map((f) => f.slice('extension/'.length)).filter((f) => !users.includes(f.split('/').pop() ?? f));
    assert.ok(files.length > 0, 'media/ is in the .vsix');
    assert.deepEqual(unused, [], `media nothing uses: ${unused.join(', ')}`);
  });

  it('loads the decoders apart: the extension bundle requires dist/decoders.js and does not hold them', () => {
    const main = execFileSync('unzip', ['-p', vsix, 'extension/dist/extension.js'], { encoding: 'utf8' });
    assert.ok(main.includes('import("./decoders.js")'), 'the extension bundle loads dist/decoders.js on demand');
    assert.ok(!main.includes('MessagePack'), 'no MessagePack code in the extension bundle');
    const decoders = execFileSync('unzip', ['-p', vsix, 'extension/dist/decoders.js'], { encoding: 'utf8' });
    assert.ok(decoders.includes('zstd.wasm'), 'the decoders bundle loads zstd.wasm from beside it');
  });

  it('is not a UI-only extension (it needs Node sockets)', () => {
    const manifest = JSON.parse(execFileSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' })) as { extensionKind?: string[] };
    assert.ok(!manifest.extensionKind || manifest.extensionKind.includes('workspace'));
    assert.ok(statSync(vsix).size < 5 * 1024 * 1024, 'the .vsix stays small');
  });
});

// One script for every bundle: the extension (Node, CommonJS) and the hash editor webview (browser).
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
};

// The value decoders are a bundle of their own (dist/decoders.js), loaded by the extension on first use.
const decodersOutside = {
  name: 'decoders-outside',
  setup(build) {
    build.onResolve({ filter: /\/core\/decoders$/ }, (args) => (args.importer.includes('hashEditor') || args.importer.includes('commands') ? { path: './decoders.js', external: true } : undefined));
  },
};

const sshNative = ['cpu-features', '*.node'];

const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    // ssh2's optional native parts (cpu-features, sshcrypto.node) stay out: ssh2 loads them in a try and
    // falls back to pure JavaScript, so the .vsix needs no native build per platform.
    external: ['vscode', ...sshNative],
    plugins: [decodersOutside],
  },
  {
    ...common,
    entryPoints: ['src/core/decoders/index.ts'],
    outfile: 'dist/decoders.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

// The codicon font and its stylesheet are loaded by the webview from dist/ (localResourceRoots).
function copyCodicons() {
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    cpSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
  }
}

// zstd's WebAssembly module: @bokuweb/zstd-wasm reads it from beside the bundle (__dirname).
function copyZstdWasm() {
  mkdirSync('dist', { recursive: true });
  cpSync('node_modules/@bokuweb/zstd-wasm/dist/common/zstd.wasm', 'dist/zstd.wasm');
}

copyCodicons();
copyZstdWasm();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

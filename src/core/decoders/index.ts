/*
 * Value decoders (no vscode): the extension loads this module lazily, on the first value it decodes.
 */
export { decode, previewLine } from './registry';
export type { Decoding } from './registry';
export { toTree } from './tree';
export { MAX_OUTPUT } from './limits';
export { zstdReady } from './zstd';

/*
 * Value decoders (no vscode): the extension loads this module lazily, on the first value it decodes.
 */
export { decode, previewLine, FORMAT_TABLE, TRANSFORM_TABLE } from './registry';
export type { Decoding, DecodeOptions } from './registry';
export { toTree } from './tree';
export { hexDump } from './hex';
export { MAX_OUTPUT, MAX_DEPTH } from './limits';
export { DecodeError } from './types';
export { zstdReady } from './zstd';

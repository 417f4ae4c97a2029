/*
 * The parts a decoder chain is made of. A transform turns bytes into bytes (decompression, base64); a format
 * turns the last bytes into a view (text, JSON, a tree). Each knows how to find the encoder that gives back
 * the exact bytes it decoded, or says why it cannot.
 */

/** Caps that keep a hostile value from taking the extension host down. */
export interface Limits {
  /** most bytes a decompression may produce */
  maxOutput: number;
}

/** A decoder failed on these bytes; the message is ours and says why. */
export class DecodeError extends Error {}

/** Re-encodes bytes with the options that reproduce the original, or says why none do. */
export type Fitted = { encode: (plain: Buffer) => Buffer } | { reason: string };

export interface Transform {
  readonly name: string;
  /** the bytes start with this format's magic number */
  magic?(b: Buffer): boolean;
  decode(b: Buffer, limits: Limits): Buffer;
  /** finds the options that turn `plain` back into `original` exactly (undefined: this transform has no encoder) */
  fit?(plain: Buffer, original: Buffer): Fitted;
}

export interface FormatView {
  /** the editable (or shown) text */
  text: string;
  /** a structure for the tree view (MessagePack, PHP, pickle, protobuf) */
  tree?: unknown;
  notes?: string[];
  /** turns edited text back into bytes; absent when the format is read-only */
  encode?: (text: string) => Buffer;
  readOnly?: string;
}

export interface Format {
  readonly name: string;
  /** the bytes look like this format (used by detection; may parse) */
  detect?(b: Buffer): boolean;
  decode(b: Buffer): FormatView;
}

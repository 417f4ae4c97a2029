/*
 * A value in its decoded form, as the hash editor's value pane shows it. Decoding happens in the extension
 * host (src/core/decoders); the webview only renders this. No vscode, no DOM.
 */

/** One node of a decoded structure (MessagePack, PHP, pickle, protobuf, JSON) for the tree view. */
export interface TreeNode {
  /** key or index in the parent; absent at the root */
  k?: string;
  /** type: object, array, string, number, bool, null, bytes, class, field… */
  t: string;
  /** a leaf's value as text */
  v?: string;
  c?: TreeNode[];
  /** children left out (the tree is capped) */
  more?: number;
}

type DecodedKind = 'text' | 'json' | 'tree' | 'hex';

export interface DecodedValue {
  /** the decoder chain applied, e.g. "gzip+json"; "raw" when the value is shown as it is */
  decoder: string;
  /** chosen by detection (not by the user or a setting) */
  detected: boolean;
  kind: DecodedKind;
  /** the decoded text (what an edit starts from); hex dump for `hex` */
  text: string;
  /** `text` holds only the start of the decoded value (it is too big to show whole) */
  textCapped: boolean;
  tree?: TreeNode;
  /** bytes after decompression (or of the raw value) */
  size: number;
  rawLength: number;
  /** the decoded text can be edited and saved re-encoded */
  editable: boolean;
  /** why not, when not */
  readOnlyReason?: string;
  /** what the user should know: a cap hit, a decoder that failed and the raw form shown instead, … */
  notes: string[];
  /** remembers the raw bytes decoded and the encoder's options: an edit of this form sends it back */
  token: number;
  /** the field's TTL in seconds when read (-1 none), servers with field TTLs only */
  ttl?: number;
}

/** Decoders a user can pick (chains are joined with "+", e.g. "gzip+json", "base64+zstd+msgpack"). */
const TRANSFORMS = ['gzip', 'zlib', 'deflate', 'brotli', 'zstd', 'lz4', 'snappy', 'base64'] as const;
const FORMATS = ['text', 'json', 'hex', 'msgpack', 'php', 'pickle', 'protobuf'] as const;
export type TransformName = (typeof TRANSFORMS)[number];
export type FormatName = (typeof FORMATS)[number];

/** "auto": detect from the bytes; "raw": the value as stored (UTF-8 text or escaped bytes). */
export const DECODER_CHOICES = ['auto', 'raw', ...FORMATS, ...TRANSFORMS.flatMap((t) => [`${t}+text`, `${t}+json`, `${t}+msgpack`])] as const;

/** A decoder chain is valid when it is "auto", "raw", or transforms followed by at most one format. */
export function isDecoderChain(spec: string): boolean {
  if (spec === 'auto' || spec === 'raw') return true;
  const parts = spec.split('+');
  if (parts.length === 0 || parts.length > 4) return false;
  return parts.every((p, i) => (TRANSFORMS as readonly string[]).includes(p) || (i === parts.length - 1 && (FORMATS as readonly string[]).includes(p)));
}

import type * as ZstdWasm from '@bokuweb/zstd-wasm';
import { DecodeError } from './types';
import type { Fitted, Limits, Transform } from './types';
import { tooBig } from './limits';
import { search } from './zlibCommon';

/*
 * Zstandard through @bokuweb/zstd-wasm (the reference C library compiled to WebAssembly: compresses and
 * decompresses, no native build). Its WebAssembly module is loaded on first use only (`zstdReady`).
 */
type ZstdModule = typeof ZstdWasm;
let lib: ZstdModule | undefined;
let loading: Promise<ZstdModule> | undefined;

/** Loads the WebAssembly module once; decode and fit need it loaded. */
export function zstdReady(): Promise<void> {
  loading ??= (async () => {
    const m: ZstdModule = await import('@bokuweb/zstd-wasm');
    await m.init();
    lib = m;
    return m;
  })();
  return loading.then(() => undefined);
}

function loaded(): ZstdModule {
  if (!lib) throw new DecodeError('The zstd decoder is not loaded yet.');
  return lib;
}

/** The frame's declared content size (undefined: not declared), read from its header. */
function zstdContentSize(b: Buffer): number | undefined {
  if (b.length < 6) throw new DecodeError('This zstd data is truncated.');
  const fhd = b[4];
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][fhd & 3];
  const fcsBytes = [single ? 1 : 0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0) return undefined;
  const at = 5 + (single ? 0 : 1) + dictBytes;
  if (b.length < at + fcsBytes) throw new DecodeError('This zstd data is truncated.');
  if (fcsBytes === 1) return b[at];
  if (fcsBytes === 2) return b.readUInt16LE(at) + 256;
  if (fcsBytes === 4) return b.readUInt32LE(at);
  return Number(b.readBigUInt64LE(at));
}

export const zstd: Transform = {
  name: 'zstd',
  magic: (b) => b.length >= 9 && b.readUInt32LE(0) === 0xfd2fb528,
  decode(b: Buffer, limits: Limits): Buffer {
    const declared = zstdContentSize(b);
    if (declared !== undefined && declared > limits.maxOutput) throw tooBig('This zstd value', limits.maxOutput);
    const z = loaded();
    try {
      // an undeclared size gets the cap as its buffer: more output fails instead of growing
      return Buffer.from(z.decompress(b, { defaultHeapSize: declared ?? limits.maxOutput }));
    } catch {
      throw new DecodeError(
        declared === undefined
          ? `This zstd data is corrupt or truncated, or decompresses to more than the cap.`
          : 'This zstd data is corrupt or truncated.',
      );
    }
  },
  /** Level 3 is zstd's default; the frame must also match in its flags (content size, no checksum). */
  fit(plain: Buffer, original: Buffer): Fitted {
    const z = loaded();
    return search('zstd', plain, original, [3, 1, 2, 4, 5, 6, 7, 8, 9, 19], (level) => (p) => Buffer.from(z.compress(p, level)));
  },
};

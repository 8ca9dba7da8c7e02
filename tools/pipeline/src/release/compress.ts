// Deterministic compressed variants: same bytes in, same bytes out, on every machine.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** gzip -9. zlib writes no file name and a zero mtime, so the header carries nothing variable. */
export function gzipBytes(bytes: Uint8Array): Buffer {
  return gzipSync(bytes, { level: 9 });
}

/** brotli quality 11, with the size hint so the encoder's window choice depends on the input only. */
export function brotliBytes(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
    },
  });
}

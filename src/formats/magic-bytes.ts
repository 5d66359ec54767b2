/** Magic numbers that tell compressed content apart from trace data. */

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** A zstd frame (28 b5 2f fd), or a zstd skippable frame (5X 2a 4d 18), at `at`. */
export function isZstdMagic(bytes: Uint8Array, at = 0): boolean {
  if (bytes.length < at + 4) return false;
  if (ZSTD_MAGIC.every((m, i) => bytes[at + i] === m)) return true;
  return (bytes[at]! & 0xf0) === 0x50 && bytes[at + 1] === 0x2a && bytes[at + 2] === 0x4d && bytes[at + 3] === 0x18;
}

/** gzip's 1f 8b. */
export function isGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

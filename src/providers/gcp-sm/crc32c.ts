/**
 * CRC32C (Castagnoli), the checksum Secret Manager sends as `payload.dataCrc32c`. Node has only
 * plain CRC32 built in, and no CRC32C package ships with the SDK, so this is the bitwise form:
 * payloads are at most 64 KiB, where a lookup table would buy nothing.
 */
const POLYNOMIAL = 0x82f63b78; // reversed Castagnoli polynomial

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (POLYNOMIAL & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Test data for uploads: bytes that cover every byte value, different for each seed, the same for the same seed. */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  for (let n = 0; n < size; n += 1) out[n] = (n * 31 + seed * 17 + (n >> 8)) & 0xff;
  return out;
}

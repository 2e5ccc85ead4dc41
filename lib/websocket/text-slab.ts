/** Bytes in each slab that texts are encoded into. */
const SLAB_BYTES = 64 * 1024;
/** The longest text, in UTF-16 units, that is encoded into a slab: a fresh slab always holds it. */
export const SLAB_MOST_UNITS = SLAB_BYTES / 4;

const encoder = new TextEncoder();
let slab: Buffer = Buffer.allocUnsafeSlow(0);
let used = 0;

/**
 * `text` (at most `SLAB_MOST_UNITS` long) encoded as UTF-8 into a shared slab: one pass over the
 * text, and one ArrayBuffer for several texts instead of one each. It is what Node's buffer
 * pool does for strings under 4 KiB, with room for texts of kilobytes. As with that pool, a
 * slice still queued on a slow socket keeps its whole slab alive, so slabs stay small.
 *
 * @example
 * const bytes = encodeText(JSON.stringify(reply)); // a slice of the current slab
 */
export function encodeText(text: string): Buffer {
  if (used < slab.length) {
    // encodeInto says how much of the text it took: all of it, or the slab is full.
    const { read, written } = encoder.encodeInto(text, slab.subarray(used));
    if (read === text.length) return take(written);
  }
  slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  used = 0;
  return take(encoder.encodeInto(text, slab).written);
}

function take(bytes: number): Buffer {
  const out = slab.subarray(used, used + bytes);
  used += bytes;
  return out;
}

/** Byte (UTF-8) order, as the ports' pagination requires; equal to code-unit order for ASCII names. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

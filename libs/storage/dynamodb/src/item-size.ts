import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/*
 * DynamoDB's item size, the figure its 400 KB limit applies to (AWS "Item sizes and formats"): attribute
 * names and string values count their UTF-8 bytes, a number about one byte per two significant digits plus
 * one, booleans and nulls one byte, binaries their length; lists and maps add 3 bytes plus 1 per element
 * (a map element also counts its name); sets count their elements.
 */

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

const numberSize = (text: string): number => {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.min(21, Math.ceil(Math.max(digits.length, 1) / 2) + 1);
};

/** Size of one marshalled value, as sent on the wire. */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return value.L.reduce((sum, v) => sum + 1 + attributeValueSize(v), 3);
  if (value.M !== undefined) return marshalledItemSize(value.M) + 3 + Object.keys(value.M).length;
  throw new Error(`unknown attribute value type: ${Object.keys(value).join(',')}`);
}

export function marshalledItemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + attributeValueSize(value), 0);
}

/** The same figure for an item before lib-dynamodb marshals it (what the adapter checks before writing). */
export function nativeItemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + utf8(name) + nativeSize(value)), 0);
}

function nativeSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(String(value));
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + nativeSize(v), 0);
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + 1 + nativeSize(v), 3);
  if (typeof value === 'object') {
    const entries = Object.entries(value as object).filter(([, v]) => v !== undefined);
    return entries.reduce((sum, [name, v]) => sum + 1 + utf8(name) + nativeSize(v), 3);
  }
  throw new Error(`cannot size a ${typeof value}`);
}

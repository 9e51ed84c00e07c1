/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress operators. Addresses are
 * 32- or 128-bit integers; a block is (family, network, prefix). A bare address in a policy is a /32 or
 * /128 block. An IPv4-mapped IPv6 address (`::ffff:203.0.113.7`) in the request is compared as IPv4,
 * since that is how dual-stack sockets report IPv4 clients.
 */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface CidrBlock extends IpAddress {
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAPPED_PREFIX = 0xffffn << 32n;

function parseIpv4(text: string): bigint | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (const part of m.slice(1)) {
    const octet = Number(part);
    if (octet > 255 || (part.length > 1 && part.startsWith('0'))) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseHextets(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  for (const group of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    out.push(parseInt(group, 16));
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  let body = text;
  let tail: number[] = [];
  // A trailing dotted quad stands for the last two hextets.
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.') && lastColon >= 0) {
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    const head = body.slice(0, lastColon + 1);
    body = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseHextets(halves[0] ?? '');
  const rest = halves.length === 2 ? parseHextets(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const explicit = head.length + rest.length + tail.length;
  const zeros = halves.length === 2 ? 8 - explicit : 0;
  if (halves.length === 2 ? zeros < 1 : explicit !== 8) return undefined;
  const groups = [...head, ...new Array<number>(zeros).fill(0), ...rest, ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses an address as it appears in `aws:SourceIp` (no prefix). */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

/** Parses `203.0.113.0/24`, `2001:db8::/32` or a bare address. Host bits after the prefix are ignored. */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const v4 = parseIpv4(addressText);
  const family: 4 | 6 = v4 !== undefined ? 4 : 6;
  const value = v4 ?? (addressText.includes(':') ? parseIpv6(addressText) : undefined);
  if (value === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bits) return undefined;
  return { family, value, prefix };
}

export function cidrContains(block: CidrBlock, address: IpAddress): boolean {
  if (block.family !== address.family) return false;
  const shift = BigInt((block.family === 4 ? 32 : 128) - block.prefix);
  return block.value >> shift === address.value >> shift;
}

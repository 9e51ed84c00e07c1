import { cidrContains, parseCidr, parseIpAddress } from './ip-address';

describe('parseIpAddress', () => {
  it.each<[string, 4 | 6 | undefined]>([
    ['203.0.113.7', 4],
    ['0.0.0.0', 4],
    ['2001:db8::1', 6],
    ['::', 6],
    ['::1', 6],
    ['1:2:3:4:5:6:7:8', 6],
    ['64:ff9b::192.0.2.33', 6],
    ['::ffff:192.0.2.33', 4],
    ['256.0.0.1', undefined],
    ['01.2.3.4', undefined],
    ['1.2.3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1::2::3', undefined],
    ['2001:db8::g', undefined],
    ['', undefined],
  ])('%s is IPv%s', (text, family) => {
    expect(parseIpAddress(text)?.family).toBe(family);
  });
});

describe('cidrContains', () => {
  it.each<[string, string, boolean]>([
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['0.0.0.0/0', '198.51.100.1', true],
    ['203.0.113.9/24', '203.0.113.200', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '2001:db8::1', true],
    ['2001:db8::1', '2001:db8::1', true],
    ['2001:db8::1/128', '2001:db8::2', false],
    ['64:ff9b::192.0.2.0/120', '64:ff9b::192.0.2.77', true],
  ])('%s contains %s: %s', (block, address, expected) => {
    const cidr = parseCidr(block);
    const ip = parseIpAddress(address);
    expect(cidr && ip && cidrContains(cidr, ip)).toBe(expected);
  });

  it.each(['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/a', 'host.example.com'])('rejects %s', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

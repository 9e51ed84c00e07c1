import { parseDigest } from '@cargohold/oci';
import { PullRecords } from './pull-records';

const { digest } = parseDigest(`sha256:${'a'.repeat(64)}`);
const { digest: other } = parseDigest(`sha256:${'b'.repeat(64)}`);
const app = { registry: '000000000000/us-east-1', name: 'app' };

describe('PullRecords', () => {
  it('keeps one time per image: digest, registry and repository', () => {
    const records = new PullRecords(10);
    records.set(app, digest, 1);
    records.set({ ...app, name: 'app/other' }, digest, 2);
    records.set({ ...app, registry: '111111111111/us-east-1' }, digest, 3);
    records.set(app, other, 4);

    expect(records.last(app, digest)).toBe(1);
    expect(records.last({ ...app, name: 'app/other' }, digest)).toBe(2);
    expect(records.last({ ...app, registry: '111111111111/us-east-1' }, digest)).toBe(3);
    expect(records.last(app, other)).toBe(4);
    expect(records.last({ ...app, name: 'nope' }, digest)).toBeUndefined();

    records.delete(app, digest);
    expect(records.last(app, digest)).toBeUndefined();
    expect(records.last({ ...app, name: 'app/other' }, digest)).toBe(2);
  });

  it('holds at most maxEntries images, emptying itself when full', () => {
    const records = new PullRecords(2);
    records.set(app, digest, 1);
    records.set(app, digest, 2); // the same image again: still one entry
    records.set(app, other, 3);
    expect(records.last(app, digest)).toBe(2);

    records.set({ ...app, name: 'third' }, digest, 4);
    expect(records.last(app, digest)).toBeUndefined();
    expect(records.last(app, other)).toBeUndefined();
    expect(records.last({ ...app, name: 'third' }, digest)).toBe(4);
  });
});

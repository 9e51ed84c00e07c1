import { progressBar } from './gc-command';

describe('progressBar', () => {
  it('fills in proportion to the blobs scanned, and stays empty while the total is unknown', () => {
    expect(progressBar(0, 10)).toBe(`[${'.'.repeat(30)}]   0%`);
    expect(progressBar(5, 10)).toBe(`[${'#'.repeat(15)}${'.'.repeat(15)}]  50%`);
    expect(progressBar(12, 10)).toBe(`[${'#'.repeat(30)}] 100%`);
    expect(progressBar(3, 0)).toBe(`[${'.'.repeat(30)}]   0%`);
  });
});

import { progressReporter } from './progress';

function capture(isTTY: boolean) {
  const written: string[] = [];
  let clock = 0;
  const progress = progressReporter('cargohold fsck', { isTTY, write: (text: string) => written.push(text) }, () => clock);
  return { written, progress, advance: (ms: number) => (clock += ms) };
}

describe('progressReporter', () => {
  it('redraws one line with a bar on a terminal, and clears it when done', () => {
    const { written, progress, advance } = capture(true);
    progress.update(1, 4, 'hashing blobs: 1/4');
    advance(50);
    progress.update(2, 4, 'hashing blobs: 2/4'); // throttled
    advance(100);
    progress.update(3, 4, 'hashing blobs: 3/4');
    progress.finish();
    expect(written).toEqual([
      '\r\x1b[2Kcargohold fsck [######..................] 25% hashing blobs: 1/4',
      '\r\x1b[2Kcargohold fsck [##################......] 75% hashing blobs: 3/4',
      '\r\x1b[2K',
    ]);
  });

  it('prints a plain line every 5 s elsewhere, with the share when the total is known', () => {
    const { written, progress, advance } = capture(false);
    advance(1000);
    progress.update(10, undefined, 'read 10 records');
    advance(5000);
    progress.update(20, undefined, 'read 20 records');
    advance(1000);
    progress.update(30, undefined, 'read 30 records');
    advance(5000);
    progress.update(1, 2, 'half');
    progress.finish();
    expect(written).toEqual(['cargohold fsck: read 20 records\n', 'cargohold fsck: half (50%)\n']);
  });
});

import { MAX_MULTIPART_BYTES, MAX_PARTS, MIN_PART_SIZE, partSize } from './s3-layout';

const MiB = 1024 * 1024;
/** ECR's largest layer: 52,000 MiB. */
const ECR_MAX_LAYER = 54_525_952_000;

/** The parts a body of `size` bytes is cut into by the schedule: full parts, then a shorter last one. */
function cut(size: number): number[] {
  const parts: number[] = [];
  for (let left = size, number = 1; left > 0; number++) {
    parts.push(Math.min(left, partSize(number)));
    left -= partSize(number);
  }
  return parts;
}

describe('partSize', () => {
  it('starts at S3 minimum of 5 MiB and doubles every 2,000 parts up to 80 MiB', () => {
    expect(partSize(1)).toBe(MIN_PART_SIZE);
    expect(MIN_PART_SIZE).toBe(5 * MiB);
    expect([2000, 2001, 4000, 4001, 6001, 8000, 8001, MAX_PARTS].map((n) => partSize(n) / MiB)).toEqual([5, 10, 10, 20, 40, 40, 80, 80]);
  });

  it('never shrinks from one part to the next', () => {
    for (let number = 2; number <= MAX_PARTS; number++) expect(partSize(number)).toBeGreaterThanOrEqual(partSize(number - 1));
  });

  it('has no part outside S3 part numbers 1…10,000', () => {
    for (const number of [0, -1, 1.5, MAX_PARTS + 1, Number.NaN]) expect(() => partSize(number)).toThrow(RangeError);
  });

  it('fits ECR largest layer (52,000 MiB) in 5,100 parts of at most 20 MiB', () => {
    const parts = cut(ECR_MAX_LAYER);
    expect(parts).toHaveLength(5_100);
    expect(Math.max(...parts)).toBe(20 * MiB);
    expect(parts.reduce((sum, part) => sum + part, 0)).toBe(ECR_MAX_LAYER);
  });

  it('keeps layers up to 9.7 GiB at 5 MiB parts', () => {
    expect(Math.max(...cut(2000 * 5 * MiB))).toBe(5 * MiB);
    expect(Math.max(...cut(1024 * MiB))).toBe(5 * MiB);
  });

  it('bounds one multipart upload at MAX_MULTIPART_BYTES (310,000 MiB), every part full', () => {
    let total = 0;
    for (let number = 1; number <= MAX_PARTS; number++) total += partSize(number);
    expect(MAX_MULTIPART_BYTES).toBe(total);
    expect(MAX_MULTIPART_BYTES).toBe(310_000 * MiB);
  });
});

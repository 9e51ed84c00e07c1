import { randomBytes } from 'node:crypto';
import { digestOf } from './digest';
import { createResumableDigester, HashStateInvalidError } from './resumable-digest';

describe('createResumableDigester', () => {
  const bytes = randomBytes(200_000);

  it.each(['sha256', 'sha512'] as const)('digests %s like node:crypto, across a save and load', async (algorithm) => {
    const first = await createResumableDigester(algorithm);
    first.update(bytes.subarray(0, 70_001));
    const state = first.save();

    const resumed = await createResumableDigester(algorithm, { state: Uint8Array.from(state), bytes: 70_001 });
    resumed.update(bytes.subarray(70_001));
    expect(resumed.bytes).toBe(bytes.length);
    expect(resumed.digest()).toBe(digestOf(bytes, algorithm));
  });

  it('digests empty input', async () => {
    expect((await createResumableDigester('sha256')).digest()).toBe(digestOf(new Uint8Array(0)));
  });

  it('refuses a state it did not write', async () => {
    const other = (await createResumableDigester('sha512')).save();
    await expect(createResumableDigester('sha256', { state: other, bytes: 0 })).rejects.toBeInstanceOf(HashStateInvalidError);
    await expect(createResumableDigester('sha256', { state: new Uint8Array(8), bytes: 0 })).rejects.toBeInstanceOf(HashStateInvalidError);
  });
});

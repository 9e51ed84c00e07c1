import { resolveRegion } from './region';

describe('resolveRegion', () => {
  it('prefers AWS_REGION, then AWS_DEFAULT_REGION, then the configured region', () => {
    expect(resolveRegion({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' }, 'us-west-2')).toBe('eu-west-1');
    expect(resolveRegion({ AWS_DEFAULT_REGION: 'eu-central-1' }, 'us-west-2')).toBe('eu-central-1');
    expect(resolveRegion({}, 'us-west-2')).toBe('us-west-2');
  });

  it('leaves the choice to the SDK when nothing names a region (empty variables count as unset)', () => {
    expect(resolveRegion({ AWS_REGION: '', AWS_DEFAULT_REGION: '' })).toBeUndefined();
  });
});

import { emfFields, emfMetricFields } from './emf';

/** CloudWatch drops an EMF line whose directive names a metric or dimension the line does not carry. */
describe('emfFields', () => {
  const fields = (status: number) =>
    emfFields(
      'cargohold-prod-ecr-api',
      { requestId: 'r', action: 'DescribeImages' },
      { method: 'POST', path: '/', status, ms: 12.34, bytesOut: 321 },
      1_700_000_000_000,
    );

  it('carries every metric and dimension its directive names, as numbers and strings', () => {
    const line = fields(200);
    const directive = line['_aws'] as { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    expect(directive.Timestamp).toBe(1_700_000_000_000);
    const [metrics] = directive.CloudWatchMetrics;
    expect(metrics?.Namespace).toBe('cargohold');
    for (const { Name } of metrics?.Metrics ?? []) expect(typeof line[Name]).toBe('number');
    for (const dimension of (metrics?.Dimensions ?? []).flat()) expect(typeof line[dimension]).toBe('string');
    expect(line).toMatchObject({
      Service: 'cargohold-prod-ecr-api',
      Route: 'DescribeImages',
      Requests: 1,
      ServerErrors: 0,
      ClientErrors: 0,
      Latency: 12.3,
      BytesOut: 321,
    });
  });

  it('counts 5xx and 4xx answers apart', () => {
    expect(fields(503)).toMatchObject({ ServerErrors: 1, ClientErrors: 0 });
    expect(fields(404)).toMatchObject({ ServerErrors: 0, ClientErrors: 1 });
  });

  it('files a request no route matched under "none"', () => {
    expect(emfFields('f', { requestId: 'r' }, { method: 'GET', path: '/x', status: 404, ms: 1 })['Route']).toBe('none');
  });
});

describe('emfMetricFields', () => {
  it('carries each figure under its name, declared with its unit in namespace cargohold by Service', () => {
    const line = emfMetricFields(
      'cargohold-prod-gc',
      [
        { name: 'GcBlobsDeleted', value: 3, unit: 'Count' },
        { name: 'GcBytesReclaimed', value: 4096, unit: 'Bytes' },
      ],
      1_700_000_000_000,
    );
    expect(line).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'cargohold',
            Dimensions: [['Service']],
            Metrics: [
              { Name: 'GcBlobsDeleted', Unit: 'Count' },
              { Name: 'GcBytesReclaimed', Unit: 'Bytes' },
            ],
          },
        ],
      },
      Service: 'cargohold-prod-gc',
      GcBlobsDeleted: 3,
      GcBytesReclaimed: 4096,
    });
  });
});

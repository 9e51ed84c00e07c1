import { HANDLERS, STAGES, packagedStages, resourceOf, type Packaged } from './packaged';
import { resourcesOfType, type CfnResource, type Template } from './template';

/**
 * The generated template's monitoring: an alarm on every dead-letter queue, the API functions' 5xx rate
 * and throttles, all notifying one topic, and a dashboard whose metrics name the stack's own functions
 * and queues.
 */

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

/** The alarms whose dimension `name` is `value` (a string or an intrinsic function). */
function alarmsOn(template: Template, name: string, value: unknown): CfnResource[] {
  return resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .map(([, alarm]) => alarm)
    .filter((alarm) => {
      const dimensions = (alarm.Properties['Dimensions'] ?? []) as { Name: string; Value: unknown }[];
      const metricDimensions = (
        (alarm.Properties['Metrics'] ?? []) as { MetricStat?: { Metric: { Dimensions?: { Name: string; Value: unknown }[] } } }[]
      ).flatMap((metric) => metric.MetricStat?.Metric.Dimensions ?? []);
      return [...dimensions, ...metricDimensions].some((d) => d.Name === name && JSON.stringify(d.Value) === JSON.stringify(value));
    });
}

describe.each(STAGES)('serverless package --stage %s: monitoring', (stage) => {
  const template = () => packaged.templates[stage];
  const functionName = (name: string) => `cargohold-${stage}-${name}`;

  it('alarms on every dead-letter queue as soon as one message waits', () => {
    const queues = resourcesOfType(template(), 'AWS::SQS::Queue').filter(([id]) => /DeadLetterQueue$/.test(id));
    expect(queues.length).toBeGreaterThanOrEqual(3);
    for (const [id] of queues) {
      const alarms = alarmsOn(template(), 'QueueName', { 'Fn::GetAtt': [id, 'QueueName'] });
      expect(`${id}: ${alarms.length}`).toBe(`${id}: 1`);
      expect(alarms[0]?.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      });
    }
  });

  it.each(['distribution-api', 'ecr-api'])('alarms on the 5xx rate and the throttles of %s', (name) => {
    const rate = alarmsOn(template(), 'Service', functionName(name));
    expect(rate).toHaveLength(1);
    const metrics = rate[0]?.Properties['Metrics'] as { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string } } }[];
    expect(metrics.find((m) => m.Id === 'rate')?.Expression).toBe('IF(requests >= 20, 100 * errors / requests, 0)');
    expect(metrics.filter((m) => m.MetricStat).map((m) => `${m.MetricStat?.Metric.Namespace}/${m.MetricStat?.Metric.MetricName}`)).toEqual([
      'cargohold/ServerErrors',
      'cargohold/Requests',
    ]);
    const throttles = alarmsOn(template(), 'FunctionName', functionName(name));
    expect(throttles.map((alarm) => alarm.Properties['MetricName'])).toEqual(['Throttles']);
    // The names the alarms watch are the functions the stack deploys.
    const deployed = resourcesOfType(template(), 'AWS::Lambda::Function').map(([, fn]) => fn.Properties['FunctionName']);
    expect(deployed).toContain(functionName(name));
  });

  it('draws a dashboard over the stack’s own functions and queues, in the stack’s region', () => {
    const body = resourceOf(template(), 'Dashboard').Properties['DashboardBody'] as { 'Fn::Join': [string, unknown[]] };
    const json = body['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : JSON.stringify(part) === '{"Ref":"AWS::Region"}' ? 'eu-west-1' : '?'))
      .join('');
    const dashboard = JSON.parse(json) as { widgets: { properties: { region: string; metrics: unknown[][] } }[] };
    expect(dashboard.widgets.length).toBeGreaterThanOrEqual(6);
    for (const widget of dashboard.widgets) expect(widget.properties.region).toBe('eu-west-1');
    const named = JSON.stringify(dashboard);
    const queueNames = resourcesOfType(template(), 'AWS::SQS::Queue')
      .filter(([id]) => /DeadLetterQueue$/.test(id))
      .map(([, queue]) => queue.Properties['QueueName'] as string);
    for (const queue of queueNames) expect(named).toContain(`"${queue}"`);
    const functions = resourcesOfType(template(), 'AWS::Lambda::Function').map(([, fn]) => fn.Properties['FunctionName'] as string);
    expect(functions.length).toBe(HANDLERS.length);
    for (const fn of functions) expect(named).toContain(`"${fn}"`);
  });

  it('outputs the alarm topic for subscriptions', () => {
    expect(template().Outputs?.['AlarmTopicArn']).toMatchObject({ Value: { Ref: 'AlarmTopic' } });
    expect(resourceOf(template(), 'AlarmTopic').Properties).toMatchObject({ TopicName: `cargohold-${stage}-alarms`, KmsMasterKeyId: 'alias/aws/sns' });
  });
});

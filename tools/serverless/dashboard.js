'use strict';
/**
 * The CloudWatch dashboard's body (resources/monitoring.yml), resolved by serverless as
 * `${file(tools/serverless/dashboard.js):body}`: requests by route, latency, errors, Lambda health and the
 * dead-letter queues of one stage. Built here rather than written as YAML because a dashboard body is one
 * JSON string, and the region is only known at deploy time (Fn::Join around a placeholder).
 */

const REGION = '@@REGION@@';
const API_FUNCTIONS = ['distribution-api', 'ecr-api'];
const DEAD_LETTER_QUEUES = ['worker-dlq', 'stream-dlq', 'ecr-events-dlq', 'lifecycle-sweep-dlq', 'replicator-dlq', 'cache-syncer-dlq'];

function widget(title, x, y, properties) {
  return { type: 'metric', x, y, width: 12, height: 6, properties: { title, region: REGION, view: 'timeSeries', stacked: false, period: 300, ...properties } };
}

/** `functions`: every function of serverless.yml by its key, so a new worker is on the dashboard at once. */
function dashboard(service, stage, functions) {
  const workers = functions.filter((name) => !API_FUNCTIONS.includes(name));
  const fn = (name) => `${service}-${stage}-${name}`;
  const perRoute = (metric, stat) =>
    API_FUNCTIONS.map((name, i) => [
      { expression: `SEARCH('{cargohold,Service,Route} MetricName="${metric}" Service="${fn(name)}"', '${stat}', 300)`, id: `r${i}`, label: name },
    ]);
  const lambda = (metric, stat, names) => names.map((name) => ['AWS/Lambda', metric, 'FunctionName', fn(name), { stat, label: name }]);
  return {
    widgets: [
      widget('Requests by route (ECR action)', 0, 0, { metrics: perRoute('Requests', 'Sum') }),
      widget('Latency p99 (ms)', 12, 0, {
        metrics: API_FUNCTIONS.map((name) => ['cargohold', 'Latency', 'Service', fn(name), { stat: 'p99', label: name }]),
      }),
      widget('5xx and 4xx answers', 0, 6, {
        metrics: API_FUNCTIONS.flatMap((name) => [
          ['cargohold', 'ServerErrors', 'Service', fn(name), { stat: 'Sum', label: `${name} 5xx` }],
          ['cargohold', 'ClientErrors', 'Service', fn(name), { stat: 'Sum', label: `${name} 4xx` }],
        ]),
      }),
      widget('Bytes served by the Lambdas', 12, 6, {
        metrics: API_FUNCTIONS.map((name) => ['cargohold', 'BytesOut', 'Service', fn(name), { stat: 'Sum', label: name }]),
      }),
      widget('Lambda errors and throttles', 0, 12, {
        metrics: [...lambda('Errors', 'Sum', [...API_FUNCTIONS, ...workers]), ...lambda('Throttles', 'Sum', API_FUNCTIONS)],
      }),
      widget('Dead-letter queues (messages waiting)', 12, 12, {
        metrics: DEAD_LETTER_QUEUES.map((queue) => [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          `${service}-${stage}-${queue}`,
          { stat: 'Maximum', label: queue },
        ]),
      }),
    ],
  };
}

async function body({ resolveVariable }) {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const functions = Object.keys(await resolveVariable('self:functions'));
  const parts = JSON.stringify(dashboard(service, stage, functions)).split(`"${REGION}"`);
  // "region":"<the stack's region>" at deploy time.
  const joined = [];
  parts.forEach((part, i) => {
    if (i > 0) joined.push('"', { Ref: 'AWS::Region' }, '"');
    joined.push(part);
  });
  return { 'Fn::Join': ['', joined] };
}

module.exports = { body, dashboard, DEAD_LETTER_QUEUES, API_FUNCTIONS };

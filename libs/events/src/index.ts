export * from './registry-events';
export * from './ecr-eventbridge';

// `@cargohold/aws-local/testing`: aws:local for e2e suites and the bench.
export { startAwsLocal, type AwsLocalProcess, type StartAwsLocalOptions } from './aws-local-process';

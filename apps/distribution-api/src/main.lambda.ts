import { httpApiHandler } from '@cargohold/lambda-kit';
import { readDeploymentEnv, RequestReads } from '@cargohold/platform-aws';
import pino from 'pino';
import { awsDistributionDeps } from './deps.aws';
import { createDistributionApi } from '@cargohold/http-distribution';

/**
 * `/v2/{proxy+}` on API Gateway (HTTP API, payload 2.0). Everything below is built once per container;
 * each invocation is request adaptation, the distribution API, response encoding.
 */
const env = readDeploymentEnv(process.env);
const logger = pino({ level: env.logLevel, base: { service: 'distribution-api' } });
const reads = new RequestReads();

export const handler = httpApiHandler(reads.scoped(createDistributionApi(awsDistributionDeps(env, logger, reads))), { logger });

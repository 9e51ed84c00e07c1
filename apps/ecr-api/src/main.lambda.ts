import { httpApiHandler } from '@cargohold/lambda-kit';
import { readDeploymentEnv } from '@cargohold/platform-aws';
import pino from 'pino';
import { awsEcrDeps } from './deps.aws';
import { createEcrApi } from '@cargohold/http-ecr';

/**
 * `POST /` with `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.*` on API Gateway (HTTP API,
 * payload 2.0). Clients and stores are built once per container.
 */
const env = readDeploymentEnv(process.env);
const logger = pino({ level: env.logLevel, base: { service: 'ecr-api' } });

export const handler = httpApiHandler(createEcrApi(awsEcrDeps(env, logger)), { logger });

import { readFileSync } from 'node:fs';
import { IdentityConfigSchema } from '@cargohold/auth';
import * as z from 'zod';

/**
 * The config file (`--config FILE`, JSON). Everything is optional; the embedded defaults give a
 * registry for account 000000000000 in us-east-1 with the LocalStack-style admin `test`/`test`.
 */
export const ConfigFileSchema = z
  .object({
    accountId: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
      .optional(),
    createRepositoryOnPush: z.boolean().optional(),
    /** Domain of `<account>.dkr.ecr.<region>.<domain>` hosts for non-default registries. */
    registryDomain: z
      .string()
      .regex(/^[a-z0-9.-]+$/)
      .optional(),
    /** IAM-lite accounts, users, roles, access keys and identity policies (default: test/test admin). */
    identities: IdentityConfigSchema.optional(),
    /** File holding the token-signing key (≥ 32 bytes); default `<data-dir>/token.key`, generated. */
    tokenKeyFile: z.string().optional(),
    /** `--backend aws`: where blobs and metadata live (flags override). */
    aws: z
      .object({
        bucket: z.string().min(3).optional(),
        bucketPrefix: z.string().optional(),
        table: z.string().min(3).optional(),
      })
      .strict()
      .optional(),
    /** Connection handling: slow or silent clients cannot hold the server's connections. */
    server: z
      .object({
        /** A request's headers must arrive within this (Node counts from the connection's first byte). */
        headersTimeoutSeconds: z.number().positive().max(3600).optional(),
        /** No byte for this long while a body is owed, either way → the connection is closed. */
        idleTimeoutSeconds: z.number().positive().max(3600).optional(),
        /** An idle keep-alive connection is closed after this (above 60 s: a load balancer's idle timeout). */
        keepAliveTimeoutSeconds: z.number().positive().max(3600).optional(),
        /** Connections beyond this are answered 503 UNAVAILABLE with Retry-After and closed. */
        maxConnections: z.number().int().positive().max(1_000_000).optional(),
        /** How long SIGTERM waits for in-flight requests (same as `--shutdown-grace`, which wins). */
        shutdownGraceSeconds: z.number().min(0).max(86_400).optional(),
      })
      .strict()
      .optional(),
    /** The pull-through cache (CreatePullThroughCacheRule and pulls through its rules). */
    pullThroughCache: z
      .object({
        /** `host[:port]` upstreams reached over plain http, which may be loopback or private (e.g. ["127.0.0.1:5001"]). */
        insecureUpstreams: z.array(z.string().min(1)).optional(),
        /** Hosts besides an upstream's own that its token realms and blob redirects may use (added to Docker Hub's). */
        allowRedirectHosts: z.array(z.string().min(1)).optional(),
        /** How often a pull re-checks a cached tag against its upstream (ECR: daily). */
        refreshIntervalSeconds: z
          .number()
          .min(0)
          .max(30 * 86_400)
          .optional(),
        /** How often every cached tag of the default registry is re-checked in the background (default daily; 0 turns it off). */
        scheduledRefreshSeconds: z
          .number()
          .min(0)
          .max(30 * 86_400)
          .optional(),
        /**
         * Upstream credentials by Secrets Manager ARN, each ECR's JSON `{"username","accessToken"}`, or for an
         * ECR-compatible upstream `{"accessKeyId","secretAccessKey"[,"sessionToken"]}` (else `<data-dir>/secrets/<name>`).
         */
        secrets: z
          .record(
            z.string(),
            z.union([
              z.string(),
              z.object({ username: z.string(), accessToken: z.string() }),
              z.object({ accessKeyId: z.string(), secretAccessKey: z.string(), sessionToken: z.string().optional() }),
            ]),
          )
          .optional(),
      })
      .strict()
      .optional(),
    /** Online garbage collection inside `cargohold serve` (embedded backend); see README "Garbage collection". */
    gc: z
      .object({
        /** Run a pass this often (default 3600); 0 turns the in-process collector off. */
        intervalSeconds: z
          .number()
          .min(0)
          .max(7 * 86_400)
          .optional(),
        /** Bytes and links younger than this are kept (default 86400: longer than the longest upload session). */
        graceSeconds: z.number().min(0).optional(),
      })
      .strict()
      .optional(),
    limits: z
      .object({
        maxBlobBytes: z.number().int().positive().optional(),
        maxManifestBytes: z
          .number()
          .int()
          .positive()
          .max(32 * 1024 * 1024)
          .optional(),
        maxPageSize: z.number().int().positive().max(10_000).optional(),
        uploadIdleTimeoutSeconds: z.number().int().positive().optional(),
        /** Same as `--max-request-bytes` (the flag wins). */
        maxRequestBytes: z.number().int().min(1024).optional(),
      })
      .strict()
      .optional(),
    /** The embedded lifecycle sweeper (see deps.lifecycle.ts). */
    lifecycle: z
      .object({
        /** How often every repository with a lifecycle policy is swept (default 24 h); `--lifecycle-interval` wins. */
        sweepIntervalSeconds: z.number().int().positive().max(31_536_000).optional(),
        /** How long after PutLifecyclePolicy that repository is swept (default 60 s). */
        sweepAfterPutSeconds: z.number().min(0).max(86_400).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof ConfigFileSchema>;

export function loadConfigFile(path: string | undefined): ConfigFile {
  if (path === undefined) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(value);
  if (!parsed.success) throw new Error(`config file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

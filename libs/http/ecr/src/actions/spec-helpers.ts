import type { Principal } from '@cargohold/auth';
import { bytesBody } from '@cargohold/lambda-kit';
import { digestOf, type Digest } from '@cargohold/oci';
import { createRegistry, parsePolicy, type AccessVerdict, type Registry, type RegistryDeps } from '@cargohold/registry-core';
import type { RegistryStorage, ScanStore } from '@cargohold/storage-ports';
import type * as z from 'zod';
import type { ActionContext, ActionServices, EcrAction } from '../action';
import { pageTokens } from '../page-token';
import { toAwsError } from '../aws-errors';

/**
 * Test vocabulary for the ECR action specs (imported by specs only): a caller in account OWNER calling
 * in us-east-1 through `localhost:5000`, a registry over the storage the spec brings (memory: only
 * specs may import adapters), and `run`, which parses the input and maps errors to AWS names exactly
 * as the dispatcher does, without HTTP or SigV4.
 */
export const OWNER = '111122223333';
export const OTHER = '444455556666';
export const REGION = 'us-east-1';
export const REGISTRY = `${OWNER}:${REGION}`;
export const CALLER: Principal = { accountId: OWNER, arn: `arn:aws:iam::${OWNER}:user/alice` };
export const NOW = new Date('2026-01-01T00:00:00Z');
const HOST = 'localhost:5000';

/** An IAM evaluation an action asked for itself (beyond the dispatcher's), over several repositories. */
export type IamCheck = readonly [action: string, registryKey: string, repositoryNames: readonly string[]];

/** The storage bundle a harness runs over, with the scan store that records scans and their events. */
export type HarnessStorage = RegistryStorage & { readonly scans: ScanStore };

export interface ActionHarness {
  readonly storage: HarnessStorage;
  readonly registry: Registry;
  readonly context: ActionContext;
  /** The IAM checks the action made itself, in order. */
  readonly iamChecks: IamCheck[];
  /**
   * Parses `input` with the action's schema, runs it, and rethrows failures as AWS errors. The output
   * is the AWS JSON shape, untyped on purpose: actions declare no output types, and specs assert it.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run<S extends z.ZodType>(action: EcrAction<S>, input: unknown): Promise<any>;
  /** Uploads an image's blobs (config and layers) into the repository, creating it if needed. */
  upload(repositoryName: string, image: PushableImage): Promise<void>;
  /** Uploads an image's blobs and pushes its manifest under the tags (or by digest when none). */
  push(repositoryName: string, image: PushableImage, ...tags: string[]): Promise<void>;
}

export interface PushableImage {
  readonly blobs: readonly Buffer[];
  readonly manifest: Buffer;
  readonly digest: Digest;
  readonly mediaType: string;
}

const ALLOW: AccessVerdict = { decision: 'Allow', statement: { source: 'identity', policyIndex: 0, statementIndex: 0 } };
const IMPLICIT_DENY: AccessVerdict = { decision: 'ImplicitDeny', missing: 'identity' };

export interface HarnessOptions {
  /** Per-repository IAM answer for actions that check more than one repository; default allows all. */
  readonly allows?: (action: string, registryKey: string, repositoryName: string) => boolean;
  readonly registry?: Omit<RegistryDeps, 'storage'>;
  readonly services?: Partial<ActionServices>;
}

export function actionHarness(storage: HarnessStorage, options: HarnessOptions = {}): ActionHarness {
  const registry = createRegistry({ storage, scans: storage.scans, clock: { now: () => NOW }, ...options.registry });
  const iamChecks: IamCheck[] = [];
  const registryKey = (registryId?: string) => `${registryId ?? CALLER.accountId}:${REGION}`;
  const host = (key: string) => (key === REGISTRY ? HOST : `${key.split(':')[0]}.dkr.ecr.${key.split(':')[1]}.localhost:5000`);
  const context: ActionContext = {
    principal: CALLER,
    region: REGION,
    host: HOST,
    now: NOW,
    registry,
    registryKey,
    repo: (repositoryName, registryId) => ({ registry: registryKey(registryId), name: repositoryName }),
    registryHost: host,
    repositoryUri: (key, name) => `${host(key)}/${name}`,
    repositoryArn: (key, name) => `arn:aws:ecr:${key.split(':')[1]}:${key.split(':')[0]}:repository/${name}`,
    pageToken: pageTokens(Buffer.alloc(32, 7), 'harness'),
    services: {
      issueToken: (principal, key) => ({ token: `token-for-${principal.accountId}-${key}`, expiresAt: new Date(NOW.getTime() + 12 * 3600_000) }),
      downloadUrl: (at, repo, digest) => `http://${at}/v2/${repo.name}/blobs/${digest}?token=t`,
      validatePolicy: (text) => void parsePolicy(text, 'resource'),
      ...options.services,
    },
    decideEach: async (action, key, repositories) => {
      const repositoryNames = repositories.map((repository) => (typeof repository === 'string' ? repository : repository.name));
      iamChecks.push([action, key, repositoryNames]);
      return repositoryNames.map((name) => ((options.allows?.(action, key, name) ?? true) ? ALLOW : IMPLICIT_DENY));
    },
  };
  async function upload(repositoryName: string, image: PushableImage): Promise<void> {
    const repo = { registry: REGISTRY, name: repositoryName };
    for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bytesBody(blob));
  }
  return {
    storage,
    registry,
    context,
    iamChecks,
    async run(action, input) {
      const parsed = action.input.parse(input);
      try {
        return await action.handle(parsed, context);
      } catch (error) {
        throw toAwsError(error, action.errors) ?? error;
      }
    },
    upload,
    async push(repositoryName, image, ...tags) {
      await upload(repositoryName, image);
      await registry.manifests.put({ registry: REGISTRY, name: repositoryName }, tags[0] ?? image.digest, image.manifest, image.mediaType, tags.slice(1));
    },
  };
}

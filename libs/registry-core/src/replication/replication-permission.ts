import { parseRegistryKey, repositoryArn } from '@cargohold/oci';
import { evaluate, type PolicyDocument } from '@cargohold/policy';
import type { RegistrySettingsStore } from '@cargohold/storage-ports';
import { parsePolicy } from '../access';
import type { Clock } from '../config';

/** The actions a destination registry's policy must allow the source account (ECR's cross-account replication). */
export const REPLICATION_ACTIONS = ['ecr:CreateRepository', 'ecr:ReplicateImage'] as const;

/**
 * The source side of the check: ECR replicates as the source account's service-linked role, whose
 * managed policy allows exactly these actions. Only the destination's registry policy can refuse.
 */
const SERVICE_ROLE_POLICY: PolicyDocument = parsePolicy(
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...REPLICATION_ACTIONS], Resource: '*' }] }),
  'identity',
);

const serviceRoleArn = (account: string) => `arn:aws:iam::${account}:role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication`;

/**
 * Whether `source` may replicate `repository` into `destination` (registry keys). Same account: always
 * (IAM needs no resource policy within an account). Another account: the destination's registry policy
 * must allow both actions to the source account, as IAM evaluates a cross-account request.
 */
export async function mayReplicate(
  destinations: RegistrySettingsStore,
  source: string,
  destination: string,
  repository: string,
  clock: Clock,
): Promise<boolean> {
  const from = parseRegistryKey(source);
  const to = parseRegistryKey(destination);
  if (from.account === to.account) return true;
  const { policyText } = await destinations.get(destination);
  if (policyText === undefined) return false;
  const registryPolicy = parsePolicy(policyText, 'resource');
  const now = clock.now();
  return REPLICATION_ACTIONS.every(
    (action) =>
      evaluate(
        {
          principal: { accountId: from.account, arn: serviceRoleArn(from.account) },
          action,
          resource: repositoryArn(destination, repository),
          resourceAccountId: to.account,
          context: { 'aws:CurrentTime': now, 'aws:EpochTime': Math.floor(now.getTime() / 1000) },
        },
        { identity: [SERVICE_ROLE_POLICY], resource: [registryPolicy] },
      ).decision === 'Allow',
  );
}

import { parseRegistryKey, repositoryArn } from '@cargohold/oci';
import type { RegistryEvent } from './registry-events';

/**
 * ECR's EventBridge shapes (`source: aws.ecr`), as ECR documents them, so rules written for ECR match
 * cargohold's events unchanged.
 */
export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'ECR Image Action' | 'ECR Image Scan' | 'ECR Pull Through Cache Action' | 'ECR Replication Action';
  readonly source: 'aws.ecr';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Record<string, unknown>;
}

/** Zero or more ECR events for an internal event (ECR sends one Image Action per tag). */
export function toEcrEvents(event: RegistryEvent): EventBridgeEvent[] {
  const { account, region } = parseRegistryKey(event.registry);
  const base = { version: '0' as const, source: 'aws.ecr' as const, account, region, time: event.occurredAt.replace(/\.\d{3}Z$/, 'Z') };
  const arn = repositoryArn(event.registry, event.repository);
  switch (event.type) {
    case 'image.pushed':
    case 'image.deleted': {
      const actionType = event.type === 'image.pushed' ? 'PUSH' : event.reason === 'lifecycle' ? 'EXPIRE' : 'DELETE';
      const tags = event.tags.length > 0 ? event.tags : [undefined];
      return tags.map((tag, index) => ({
        ...base,
        id: index === 0 ? event.id : `${event.id}-${index}`,
        'detail-type': 'ECR Image Action',
        resources: [],
        detail: {
          result: 'SUCCESS',
          'repository-name': event.repository,
          'image-digest': event.digest,
          'action-type': actionType,
          ...(tag !== undefined ? { 'image-tag': tag } : {}),
        },
      }));
    }
    case 'image.scanned':
      return [
        {
          ...base,
          id: event.id,
          'detail-type': 'ECR Image Scan',
          resources: [arn],
          detail: {
            'scan-status': event.status,
            'repository-name': event.repository,
            'finding-severity-counts': event.severityCounts,
            'image-digest': event.digest,
            'image-tags': event.tags,
          },
        },
      ];
    case 'cache.synced':
      return [
        {
          ...base,
          id: event.id,
          'detail-type': 'ECR Pull Through Cache Action',
          resources: [arn],
          detail: {
            'rule-version': '1',
            'sync-status': event.status,
            'ecr-repository-prefix': event.ecrRepositoryPrefix,
            'repository-name': event.repository,
            'upstream-registry-url': event.upstreamRegistryUrl,
            ...(event.tag !== undefined ? { 'image-tag': event.tag } : {}),
            ...(event.digest.includes(':') ? { 'image-digest': event.digest } : {}),
            ...(event.failureCode !== undefined ? { 'failure-code': event.failureCode } : {}),
            ...(event.failureReason !== undefined ? { 'failure-reason': event.failureReason } : {}),
          },
        },
      ];
    case 'image.replicated': {
      // Sent in the destination's account and region, naming the source (detail as ECR's schema has it).
      const source = parseRegistryKey(event.source);
      const tags = event.tags.length > 0 ? event.tags : [undefined];
      return tags.map((tag, index) => ({
        ...base,
        id: index === 0 ? event.id : `${event.id}-${index}`,
        'detail-type': 'ECR Replication Action',
        resources: [arn],
        detail: {
          result: event.result,
          'repository-name': event.repository,
          'image-digest': event.digest,
          'action-type': 'REPLICATE',
          ...(tag !== undefined ? { 'image-tag': tag } : {}),
          'source-account': source.account,
          'source-region': source.region,
        },
      }));
    }
    case 'image.scan-requested':
      return [];
  }
}

import type { UpstreamClient, UpstreamClientOptions, UpstreamTarget } from './upstream-client';

export function createUpstreamClient(_target: UpstreamTarget, _options: UpstreamClientOptions = {}): UpstreamClient {
  throw new Error('not implemented yet');
}

import http from 'node:http';
import https from 'node:https';
import { assertLiteralHostAllowed, guardedLookup, systemResolve, type Resolve } from './address-guard';
import { UpstreamRefusedError } from './errors';

export interface GuardedAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  /** Refuses, before any socket exists, a URL the policy forbids by its scheme or its literal address. */
  assertAllowed(url: URL): void;
  destroy(): void;
}

/**
 * node http/https agents under the SSRF guard, for another client talking to an upstream (an AWS SDK
 * client calling an ECR-compatible upstream's API): every address a connection resolves to is checked
 * at connect time, as the registry client's own transport does; plain http and loopback/private
 * addresses only for an upstream the config lists as insecure.
 */
export function guardedAgents(options: { readonly insecure: boolean; readonly timeoutMs: number; readonly resolve?: Resolve }): GuardedAgents {
  const agentOptions = { keepAlive: false, timeout: options.timeoutMs, lookup: guardedLookup(options.resolve ?? systemResolve, options.insecure) };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  return {
    ...agents,
    assertAllowed(url) {
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.insecure)) {
        throw new UpstreamRefusedError(`refusing ${url.protocol}//${url.host}: upstreams are reached over https unless listed as insecure`);
      }
      assertLiteralHostAllowed(url.hostname, options.insecure);
    },
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

// A `/v2/` credential as a client gets it: GetAuthorizationToken over SigV4 with the embedded server's
// default admin key (`test` / `test`), sent as `Authorization: Basic base64(AWS:<token>)`.
import { Agent } from 'node:http';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

export async function authorizationHeader(url) {
  const ecr = new ECRClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    return `Basic ${authorizationData[0].authorizationToken}`;
  } finally {
    ecr.destroy();
  }
}

/** A keep-alive agent that adds `authorization` to every request it carries (registry-http.mjs takes any agent). */
export function authorizingAgent(authorization, maxSockets = 8) {
  return new (class extends Agent {
    addRequest(request, options) {
      request.setHeader('Authorization', authorization);
      super.addRequest(request, options);
    }
  })({ keepAlive: true, maxSockets });
}

import { signEcrRequest, type Credentials } from './ecr-request';

/** An ECR API error with AWS's name (`RepositoryNotFoundException`, …) and message, as the API sent it. */
export class EcrApiError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'EcrApiError';
  }
}

export type EcrCall = <T>(action: string, input: object) => Promise<T>;

/** Signs each call with `credentials` and POSTs it to `origin`'s `/`; answers the parsed JSON or throws EcrApiError. */
export function ecrClient(credentials: Credentials, origin: string, send: typeof fetch = (input, init) => fetch(input, init)): EcrCall {
  return async <T>(action: string, input: object): Promise<T> => {
    const request = await signEcrRequest(credentials, origin, action, input);
    const response = await send(request.url, { method: request.method, headers: request.headers, body: request.body, credentials: 'omit' });
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) {
      const type = typeof json['__type'] === 'string' ? json['__type'] : `HTTP ${response.status}`;
      const message = typeof json['message'] === 'string' ? json['message'] : text.slice(0, 200);
      throw new EcrApiError(type.slice(type.lastIndexOf('#') + 1), message, response.status);
    }
    return json as T;
  };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

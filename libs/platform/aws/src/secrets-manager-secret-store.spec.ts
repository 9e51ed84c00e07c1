import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretAccessError, SecretDecryptError, SecretNotFoundError } from '@cargohold/storage-ports';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerSecretStore } from './secrets-manager-secret-store';

// No Secrets Manager emulator exists here: the one mocked client. Assertions are on what the store asks
// Secrets Manager and how it reads its answers and refusals.
const secretsManager = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/hub-AbCdEf';
const refusal = (name: string) => Object.assign(new Error(`${name} from Secrets Manager`), { name });

beforeEach(() => secretsManager.reset());

describe('SecretsManagerSecretStore', () => {
  it('answers the secret string by ARN, and reuses it until the cache time runs out', async () => {
    let now = 0;
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: '{"username":"u","accessToken":"t"}' });
    const store = new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'us-east-1' }), 1000, () => now);

    const first = await store.read(ARN);
    await store.read(ARN);
    now = 1001;
    await store.read(ARN);

    expect(first).toBe('{"username":"u","accessToken":"t"}');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('reads a binary secret as UTF-8', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: Buffer.from('{"username":"b","accessToken":"x"}') });

    expect(await new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'us-east-1' })).read(ARN)).toContain('"username":"b"');
  });

  it.each([
    ['ResourceNotFoundException', SecretNotFoundError],
    ['AccessDeniedException', SecretAccessError],
    ['DecryptionFailure', SecretDecryptError],
  ])('translates %s to the port’s error', async (name, expected) => {
    secretsManager.on(GetSecretValueCommand).rejects(refusal(name));

    await expect(new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'us-east-1' })).read(ARN)).rejects.toBeInstanceOf(expected);
  });

  it('lets throttling through as it is, and caches nothing from a failure', async () => {
    secretsManager.on(GetSecretValueCommand).rejectsOnce(refusal('ThrottlingException')).resolves({ SecretString: 'later' });
    const store = new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'us-east-1' }));

    await expect(store.read(ARN)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await store.read(ARN)).toBe('later');
  });
});

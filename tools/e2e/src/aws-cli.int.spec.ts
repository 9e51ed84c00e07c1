import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexOf } from './blobs';
import { spawnCargohold, type CargoholdProcess } from './cargohold-process';
import { AWS_CLI, awsCli, awsCliEnv, describeWithClients, skopeo, type AwsCliOptions } from './clients';
import { startDockerd, type Dockerd } from './dockerd';
import { CommandFailedError, run, type RunResult } from './exec';
import { MEDIA_TYPES, blobDirOf, buildDockerArchive, buildOciLayout, type BuiltImage } from './images';

/**
 * The real AWS CLI v2 (/usr/bin/aws, not whatever `aws` is on PATH) against the cargohold CLI:
 * the ECR control plane through `aws ecr …`, and the journeys that cross over to `/v2/`
 * (`get-login-password | docker login`, skopeo with `AWS:$(aws ecr get-login-password)`,
 * `get-download-url-for-layer` followed by a plain GET). Every assertion is about what the CLI prints,
 * as a user of real ECR would see it: JSON on stdout, `An error occurred (<Exception>) …` on stderr and
 * exit code 254 for service errors.
 */

jest.setTimeout(180_000);

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const ADMIN = { accessKeyId: 'test', secretAccessKey: 'test' };
/** A pull-only user next to the default admin. */
const READER = { accessKeyId: 'AKIAREADER', secretAccessKey: 'readersecret' };
const IDENTITIES = {
  accounts: [
    {
      id: ACCOUNT,
      region: REGION,
      users: [
        {
          name: 'admin',
          accessKeys: [ADMIN],
          policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
        },
        {
          name: 'reader',
          accessKeys: [READER],
          policies: [
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: [
                    'ecr:GetAuthorizationToken',
                    'ecr:DescribeRepositories',
                    'ecr:DescribeImages',
                    'ecr:BatchGetImage',
                    'ecr:BatchCheckLayerAvailability',
                    'ecr:GetDownloadUrlForLayer',
                  ],
                  Resource: '*',
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

describeWithClients(['aws'], 'AWS CLI v2 against cargohold', () => {
  let server: CargoholdProcess;
  let dataDir: string;
  let work: string;
  /** `127.0.0.1:PORT` */
  let host: string;

  const cli = (args: string[], options: Partial<AwsCliOptions> = {}) => awsCli(args, { endpoint: server.url, ...options });
  const ecr = async <T = Record<string, unknown>>(args: string[], options: Partial<AwsCliOptions> = {}): Promise<T> => {
    const { stdout } = await cli(['ecr', ...args], options);
    return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
  };
  /** The CLI's failure for a service error: exit code 254 and `An error occurred (<name>) when calling the <op> operation`. */
  const ecrError = async (args: string[], options: Partial<AwsCliOptions> = {}): Promise<CommandFailedError> => {
    try {
      const { stdout } = await cli(['ecr', ...args], options);
      throw new Error(`aws ecr ${args.join(' ')} succeeded but should have failed:\n${stdout}`);
    } catch (error) {
      if (!(error instanceof CommandFailedError)) throw error;
      return error;
    }
  };
  const expectServiceError = (error: CommandFailedError, exception: string, operation: string) => {
    expect({ exitCode: error.exitCode, stderr: error.stderr.trim() }).toEqual({
      exitCode: 254,
      stderr: expect.stringMatching(new RegExp(`^An error occurred \\(${exception}\\) when calling the ${operation} operation: \\S`)),
    });
  };

  beforeAll(async () => {
    const { stdout } = await run(AWS_CLI, ['--version'], { env: awsCliEnv() });
    if (!stdout.startsWith('aws-cli/2.')) throw new Error(`${AWS_CLI} is not AWS CLI v2: ${stdout}`);
    work = await mkdtemp(join(tmpdir(), 'cargohold-e2e-aws-cli-'));
    dataDir = await mkdtemp(join(tmpdir(), 'cargohold-e2e-aws-cli-data-'));
    server = await spawnCargohold({ dataDir, logLevel: process.env['E2E_LOG_LEVEL'] ?? 'error', config: { identities: IDENTITIES } });
    host = new URL(server.url).host;
  });

  afterAll(async () => {
    await server?.stop();
    await Promise.all([dataDir, work].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  describe('repositories: create, describe, tags, tag mutability, delete', () => {
    const name = 'team/app';
    const arn = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
    let created: { repository: Record<string, unknown> };
    let before: number;

    beforeAll(async () => {
      before = Date.now();
      created = await ecr(['create-repository', '--repository-name', name, '--image-tag-mutability', 'IMMUTABLE', '--tags', 'Key=env,Value=dev']);
    });

    it('create-repository returns the repository, with a repositoryUri that is this host', () => {
      expect(created.repository).toEqual({
        repositoryArn: arn,
        registryId: ACCOUNT,
        repositoryName: name,
        repositoryUri: `${host}/${name}`,
        createdAt: expect.any(String),
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: false },
        encryptionConfiguration: { encryptionType: 'AES256' },
      });
      // The CLI v2 prints timestamps as ISO 8601.
      const createdAt = Date.parse(created.repository['createdAt'] as string);
      expect(createdAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(createdAt).toBeLessThanOrEqual(Date.now());
    });

    it('create-repository again fails with RepositoryAlreadyExistsException', async () => {
      expectServiceError(await ecrError(['create-repository', '--repository-name', name]), 'RepositoryAlreadyExistsException', 'CreateRepository');
    });

    it('describe-repositories shows it, by name and in the full listing', async () => {
      const byName = await ecr<{ repositories: unknown[] }>(['describe-repositories', '--repository-names', name]);
      const all = await ecr<{ repositories: { repositoryName: string }[] }>(['describe-repositories']);

      expect(byName.repositories).toEqual([created.repository]);
      expect(all.repositories.map((r) => r.repositoryName)).toContain(name);
    });

    it('list-tags-for-resource returns the tags given at creation', async () => {
      expect(await ecr(['list-tags-for-resource', '--resource-arn', arn])).toEqual({ tags: [{ Key: 'env', Value: 'dev' }] });
    });

    it('put-image-tag-mutability switches to MUTABLE and back, and describe-repositories follows', async () => {
      const toMutable = await ecr(['put-image-tag-mutability', '--repository-name', name, '--image-tag-mutability', 'MUTABLE']);
      const described = await ecr<{ repositories: { imageTagMutability: string }[] }>(['describe-repositories', '--repository-names', name]);
      const toImmutable = await ecr(['put-image-tag-mutability', '--repository-name', name, '--image-tag-mutability', 'IMMUTABLE']);

      expect(toMutable).toEqual({ registryId: ACCOUNT, repositoryName: name, imageTagMutability: 'MUTABLE' });
      expect(described.repositories[0]?.imageTagMutability).toBe('MUTABLE');
      expect(toImmutable).toEqual({ registryId: ACCOUNT, repositoryName: name, imageTagMutability: 'IMMUTABLE' });
    });

    describe('with an image pushed through the CLI layer-upload API', () => {
      let image: BuiltImage;

      beforeAll(async () => {
        const layout = join(work, 'cli-upload');
        image = await buildOciLayout(layout, { layers: [{ files: [{ path: 'etc/motd', content: 'pushed with aws ecr\n' }] }] });
        for (const blob of [image.config, ...image.layers]) {
          const { uploadId, partSize } = await ecr<{ uploadId: string; partSize: number }>(['initiate-layer-upload', '--repository-name', name]);
          expect(partSize).toBeGreaterThanOrEqual(blob.size);
          const part = await ecr(
            [
              'upload-layer-part',
              ...['--repository-name', name, '--upload-id', uploadId],
              ...['--part-first-byte', '0', '--part-last-byte', String(blob.size - 1)],
              ...['--layer-part-blob', `fileb://${join(blobDirOf(layout), hexOf(blob.digest))}`],
            ],
            {},
          );
          expect(part).toEqual({ registryId: ACCOUNT, repositoryName: name, uploadId, lastByteReceived: blob.size - 1 });
          const completed = await ecr(['complete-layer-upload', '--repository-name', name, '--upload-id', uploadId, '--layer-digests', blob.digest]);
          expect(completed).toEqual({ registryId: ACCOUNT, repositoryName: name, uploadId, layerDigest: blob.digest });
        }
      });

      it('put-image stores the manifest under the tag', async () => {
        const put = await ecr<{ image: Record<string, unknown> }>([
          'put-image',
          ...['--repository-name', name, '--image-tag', 'v1'],
          ...['--image-manifest', image.manifestBytes.toString('utf8'), '--image-manifest-media-type', MEDIA_TYPES.oci.manifest],
        ]);

        expect(put.image).toEqual({
          registryId: ACCOUNT,
          repositoryName: name,
          imageId: { imageDigest: image.manifest.digest, imageTag: 'v1' },
          imageManifest: image.manifestBytes.toString('utf8'),
          imageManifestMediaType: MEDIA_TYPES.oci.manifest,
        });
      });

      it('delete-repository without --force fails with RepositoryNotEmptyException, and the repository stays', async () => {
        const error = await ecrError(['delete-repository', '--repository-name', name]);

        expectServiceError(error, 'RepositoryNotEmptyException', 'DeleteRepository');
        expect((await ecr<{ repositories: unknown[] }>(['describe-repositories', '--repository-names', name])).repositories).toHaveLength(1);
      });

      it('delete-repository --force deletes it with its images', async () => {
        const deleted = await ecr<{ repository: Record<string, unknown> }>(['delete-repository', '--repository-name', name, '--force']);

        expect(deleted.repository).toMatchObject({ repositoryArn: arn, registryId: ACCOUNT, repositoryName: name, repositoryUri: `${host}/${name}` });
        expectServiceError(
          await ecrError(['describe-repositories', '--repository-names', name]),
          'RepositoryNotFoundException',
          'DescribeRepositories',
        );
        expectServiceError(await ecrError(['list-images', '--repository-name', name]), 'RepositoryNotFoundException', 'ListImages');
      });
    });

    it('delete-repository of an empty repository needs no --force', async () => {
      await ecr(['create-repository', '--repository-name', 'team/empty']);

      const deleted = await ecr<{ repository: { repositoryName: string } }>(['delete-repository', '--repository-name', 'team/empty']);

      expect(deleted.repository.repositoryName).toBe('team/empty');
      expectServiceError(await ecrError(['delete-repository', '--repository-name', 'team/empty']), 'RepositoryNotFoundException', 'DeleteRepository');
    });
  });

  describe('repository policies', () => {
    const name = 'team/policy';
    // Deliberately unusual formatting: ECR hands the policy text back exactly as it was given.
    const policyText = [
      '{',
      '    "Version" : "2012-10-17",',
      '    "Statement" : [ {',
      '        "Sid" : "AllowPull",',
      '        "Effect" : "Allow",',
      `        "Principal" : { "AWS" : "arn:aws:iam::${ACCOUNT}:root" },`,
      '        "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]',
      '    } ]',
      '}',
    ].join('\n');

    beforeAll(async () => {
      await ecr(['create-repository', '--repository-name', name]);
    });

    it('get-repository-policy without a policy fails with RepositoryPolicyNotFoundException', async () => {
      expectServiceError(
        await ecrError(['get-repository-policy', '--repository-name', name]),
        'RepositoryPolicyNotFoundException',
        'GetRepositoryPolicy',
      );
    });

    it('set-repository-policy then get-repository-policy returns the text byte for byte', async () => {
      const file = join(work, 'policy.json');
      await writeFile(file, policyText);

      const set = await ecr(['set-repository-policy', '--repository-name', name, '--policy-text', `file://${file}`]);
      const got = await ecr(['get-repository-policy', '--repository-name', name]);

      expect(set).toEqual({ registryId: ACCOUNT, repositoryName: name, policyText });
      expect(got).toEqual({ registryId: ACCOUNT, repositoryName: name, policyText });
    });

    it('delete-repository-policy returns the deleted text, then the policy is gone', async () => {
      const deleted = await ecr(['delete-repository-policy', '--repository-name', name]);

      expect(deleted).toEqual({ registryId: ACCOUNT, repositoryName: name, policyText });
      expectServiceError(
        await ecrError(['get-repository-policy', '--repository-name', name]),
        'RepositoryPolicyNotFoundException',
        'GetRepositoryPolicy',
      );
    });

    it.each([
      ['text that is not JSON', 'this is not a policy'],
      ['a statement with an invalid Effect', '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"ecr:*"}]}'],
      ['a document without statements', '{"Version":"2012-10-17"}'],
    ])('set-repository-policy with %s fails with InvalidParameterException', async (_, text) => {
      const error = await ecrError(['set-repository-policy', '--repository-name', name, '--policy-text', text]);

      expectServiceError(error, 'InvalidParameterException', 'SetRepositoryPolicy');
      expectServiceError(
        await ecrError(['get-repository-policy', '--repository-name', name]),
        'RepositoryPolicyNotFoundException',
        'GetRepositoryPolicy',
      );
    });
  });

  describe('credentials the server does not accept', () => {
    it('a wrong secret: InvalidSignatureException', async () => {
      const error = await ecrError(['describe-repositories'], { credentials: { accessKeyId: 'test', secretAccessKey: 'nope' } });

      expectServiceError(error, 'InvalidSignatureException', 'DescribeRepositories');
    });

    it('an unknown access key: UnrecognizedClientException', async () => {
      const error = await ecrError(['describe-repositories'], { credentials: { accessKeyId: 'AKIANOBODY', secretAccessKey: 'test' } });

      expectServiceError(error, 'UnrecognizedClientException', 'DescribeRepositories');
    });

    it('a user whose policies do not allow the action: AccessDeniedException naming the user and the action', async () => {
      const error = await ecrError(['create-repository', '--repository-name', 'reader/attempt'], { credentials: READER });

      expectServiceError(error, 'AccessDeniedException', 'CreateRepository');
      expect(error.stderr).toContain(`arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: ecr:CreateRepository`);
    });

    it('the same user may do what its policies allow', async () => {
      expect(await ecr(['describe-repositories'], { credentials: READER })).toEqual({ repositories: expect.any(Array) });
    });

    it('get-login-password with a wrong secret prints no password', async () => {
      const error = await cli(['ecr', 'get-login-password'], { credentials: { accessKeyId: 'test', secretAccessKey: 'nope' } }).then(
        () => undefined,
        (e: CommandFailedError) => e,
      );

      expect(error).toBeInstanceOf(CommandFailedError);
      expectServiceError(error as CommandFailedError, 'InvalidSignatureException', 'GetAuthorizationToken');
      expect((error as CommandFailedError).stdout).toBe('');
    });
  });

  describeWithClients(['docker', 'dockerd', 'skopeo'], 'images pushed with docker and skopeo after aws ecr get-login-password', () => {
    const name = 'team/service';
    let dockerd: Dockerd;
    let uri: string;
    let pushedV1: string;
    let skopeoImage: BuiltImage;

    const docker = (args: string[]) => dockerd.docker(args);
    /** A bash pipeline with the CLI's isolated AWS environment plus this suite's DOCKER_HOST/DOCKER_CONFIG. */
    const bash = (script: string) =>
      run('bash', ['-c', `set -euo pipefail\n${script}`], { env: { ...awsCliEnv(), ...dockerEnv(dockerd.env), AWS: AWS_CLI, ENDPOINT: server.url } });

    beforeAll(async () => {
      dockerd = await startDockerd();
      const created = await ecr<{ repository: { repositoryUri: string } }>([
        'create-repository',
        ...['--repository-name', name, '--image-tag-mutability', 'IMMUTABLE'],
      ]);
      uri = created.repository.repositoryUri;
    });

    afterAll(async () => {
      await dockerd?.stop();
    });

    it('get-login-password | docker login --password-stdin succeeds', async () => {
      const { stdout } = await bash(`"$AWS" ecr get-login-password --endpoint-url "$ENDPOINT" | docker login --username AWS --password-stdin ${host}`);

      expect(stdout).toContain('Login Succeeded');
    });

    it('docker pushes to the repositoryUri as given, and pulls it back by the same digest', async () => {
      await loadImage(dockerd, work, 'app-v1', 'v1 content\n');
      await docker(['tag', 'cargohold-e2e/app-v1:latest', `${uri}:v1`]);

      pushedV1 = pushedDigest((await docker(['push', `${uri}:v1`])).stdout);
      await docker(['rmi', `${uri}:v1`]);
      const pulled = await docker(['pull', `${uri}:v1`]);

      expect(pulled.stdout).toContain(`Digest: ${pushedV1}`);
    });

    it('skopeo copies with --dest-creds AWS:$(aws ecr get-login-password)', async () => {
      const layout = join(work, 'skopeo-source');
      skopeoImage = await buildOciLayout(layout, {
        tag: 'v1',
        config: { Cmd: ['/hello'] },
        layers: [{ files: [{ path: 'hello', content: '#!/bin/sh\necho hello\n', mode: 0o755 }] }, { randomBytes: 256 * 1024, compression: 'none' }],
      });

      await bash(
        [
          `password="$("$AWS" ecr get-login-password --endpoint-url "$ENDPOINT")"`,
          `skopeo copy --preserve-digests --dest-tls-verify=false --dest-creds "AWS:$password" oci:${layout}:v1 docker://${uri}:from-skopeo`,
        ].join('\n'),
      );
      const inspected = await skopeo(['inspect', '--raw', `docker://${uri}:from-skopeo`], { creds: `AWS:${await loginPassword()}` });

      expect(Buffer.from(inspected.stdout, 'utf8').equals(skopeoImage.manifestBytes)).toBe(true);
    });

    it('describe-images shows the digest, tags, size and media types of the skopeo image', async () => {
      const described = await ecr<{ imageDetails: Record<string, unknown>[] }>([
        'describe-images',
        ...['--repository-name', name, '--image-ids', 'imageTag=from-skopeo'],
      ]);

      expect(described.imageDetails).toEqual([
        {
          registryId: ACCOUNT,
          repositoryName: name,
          imageDigest: skopeoImage.manifest.digest,
          imageTags: ['from-skopeo'],
          imageSizeInBytes: skopeoImage.layers.reduce((sum, layer) => sum + layer.size, 0),
          imagePushedAt: expect.any(String),
          // skopeo inspect pulled the manifest above.
          lastRecordedPullTime: expect.any(String),
          imageManifestMediaType: MEDIA_TYPES.oci.manifest,
          artifactMediaType: MEDIA_TYPES.oci.config,
        },
      ]);
      const pushedAt = Date.parse(described.imageDetails[0]?.['imagePushedAt'] as string);
      const pulledAt = Date.parse(described.imageDetails[0]?.['lastRecordedPullTime'] as string);
      expect(Date.now() - pushedAt).toBeLessThan(10 * 60_000);
      expect(pulledAt).toBeGreaterThanOrEqual(pushedAt);
    });

    it('describe-images shows the docker image with Docker schema2 media types', async () => {
      const described = await ecr<{ imageDetails: Record<string, unknown>[] }>([
        'describe-images',
        ...['--repository-name', name, '--image-ids', `imageDigest=${pushedV1}`],
      ]);

      expect(described.imageDetails).toEqual([
        expect.objectContaining({
          imageDigest: pushedV1,
          imageTags: ['v1'],
          imageSizeInBytes: expect.any(Number),
          imageManifestMediaType: MEDIA_TYPES.docker.manifest,
          artifactMediaType: MEDIA_TYPES.docker.config,
        }),
      ]);
    });

    it('list-images lists both the docker and the skopeo image', async () => {
      const listed = await ecr<{ imageIds: unknown[] }>(['list-images', '--repository-name', name]);

      expect(listed.imageIds).toHaveLength(2);
      expect(listed.imageIds).toEqual(
        expect.arrayContaining([
          { imageDigest: pushedV1, imageTag: 'v1' },
          { imageDigest: skopeoImage.manifest.digest, imageTag: 'from-skopeo' },
        ]),
      );
    });

    it('batch-get-image returns the exact manifest skopeo pushed', async () => {
      const got = await ecr<{ images: Record<string, unknown>[]; failures: unknown[] }>([
        'batch-get-image',
        ...['--repository-name', name, '--image-ids', 'imageTag=from-skopeo'],
      ]);

      expect(got).toEqual({
        images: [
          {
            registryId: ACCOUNT,
            repositoryName: name,
            imageId: { imageDigest: skopeoImage.manifest.digest, imageTag: 'from-skopeo' },
            imageManifest: skopeoImage.manifestBytes.toString('utf8'),
            imageManifestMediaType: MEDIA_TYPES.oci.manifest,
          },
        ],
        failures: [],
      });
    });

    it('get-download-url-for-layer gives a URL that serves the layer to a plain GET', async () => {
      const layer = skopeoImage.layers[1];
      if (!layer) throw new Error('the skopeo image has two layers');

      const answer = await ecr<{ downloadUrl: string; layerDigest: string }>([
        'get-download-url-for-layer',
        ...['--repository-name', name, '--layer-digest', layer.digest],
      ]);
      const response = await fetch(answer.downloadUrl);
      const bytes = Buffer.from(await response.arrayBuffer());

      expect(answer.layerDigest).toBe(layer.digest);
      expect(response.status).toBe(200);
      expect(bytes.length).toBe(layer.size);
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(layer.digest);
    });

    it('get-download-url-for-layer of a layer not in the repository fails with LayersNotFoundException', async () => {
      const error = await ecrError(['get-download-url-for-layer', '--repository-name', name, '--layer-digest', `sha256:${'0'.repeat(64)}`]);

      expectServiceError(error, 'LayersNotFoundException', 'GetDownloadUrlForLayer');
    });

    describe('tag immutability', () => {
      let otherDigest: string;

      beforeAll(async () => {
        await loadImage(dockerd, work, 'app-v2', 'different content\n');
        await docker(['tag', 'cargohold-e2e/app-v2:latest', `${uri}:v1`]);
      });

      it('docker push of a different image to an existing tag fails, naming the tag', async () => {
        const error = await docker(['push', `${uri}:v1`]).then(
          () => undefined,
          (e: CommandFailedError) => e,
        );

        expect(error).toBeInstanceOf(CommandFailedError);
        expect(error?.stderr).toMatch(/tag invalid.*'v1'.*immutable/i);
      });

      it('put-image of a different manifest to an existing tag fails with ImageTagAlreadyExistsException', async () => {
        await docker(['tag', 'cargohold-e2e/app-v2:latest', `${uri}:v2`]);
        otherDigest = pushedDigest((await docker(['push', `${uri}:v2`])).stdout);
        const { images } = await ecr<{ images: { imageManifest: string }[] }>([
          'batch-get-image',
          ...['--repository-name', name, '--image-ids', 'imageTag=v2'],
        ]);
        const manifest = images[0]?.imageManifest ?? '';

        const error = await ecrError(['put-image', '--repository-name', name, '--image-tag', 'v1', '--image-manifest', manifest]);

        expectServiceError(error, 'ImageTagAlreadyExistsException', 'PutImage');
        expect(otherDigest).not.toBe(pushedV1);
      });

      it('the tag still names the first image', async () => {
        const { imageDetails } = await ecr<{ imageDetails: { imageDigest: string }[] }>([
          'describe-images',
          ...['--repository-name', name, '--image-ids', 'imageTag=v1'],
        ]);

        expect(imageDetails.map((d) => d.imageDigest)).toEqual([pushedV1]);
      });
    });

    describe('without credentials', () => {
      it('docker pull without login fails with the 401', async () => {
        const clientConfig = await mkdtemp(join(work, 'docker-config-'));
        const error = await run('docker', ['pull', `${uri}:v1`], { env: { ...dockerd.env, DOCKER_CONFIG: clientConfig }, timeoutMs: 60_000 }).then(
          () => undefined,
          (e: CommandFailedError) => e,
        );

        expect(error).toBeInstanceOf(CommandFailedError);
        // What docker says when the registry challenges with 401 + `WWW-Authenticate: Basic` and it has no login.
        expect(error?.stderr).toMatch(/no basic auth credentials/);
      });

      it('GET /v2/ answers 401 with a Basic challenge', async () => {
        const response = await fetch(`${server.url}/v2/`);
        await response.arrayBuffer();

        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      });
    });

    it('batch-get-image and batch-delete-image of a missing tag report ImageNotFound failures', async () => {
      const got = await ecr(['batch-get-image', '--repository-name', name, '--image-ids', 'imageTag=nope']);
      const deleted = await ecr(['batch-delete-image', '--repository-name', name, '--image-ids', 'imageTag=nope']);

      const failures = [{ imageId: { imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }];
      expect(got).toEqual({ images: [], failures });
      expect(deleted).toEqual({ imageIds: [], failures });
    });

    describe('a pull-only user', () => {
      let readerPassword: string;

      beforeAll(async () => {
        readerPassword = (await cli(['ecr', 'get-login-password'], { credentials: READER })).stdout.trim();
      });

      it('pulls with its login password', async () => {
        const inspected = await skopeo(['inspect', '--raw', `docker://${uri}:from-skopeo`], { creds: `AWS:${readerPassword}` });

        expect(Buffer.from(inspected.stdout, 'utf8').equals(skopeoImage.manifestBytes)).toBe(true);
      });

      it('cannot push with it', async () => {
        const layout = join(work, 'reader-source');
        await buildOciLayout(layout, { tag: 'v1', layers: [{ files: [{ path: 'reader.txt', content: 'pushed by the reader\n' }] }] });

        const error = await skopeo(['copy', `oci:${layout}:v1`, `docker://${uri}:by-reader`], { creds: `AWS:${readerPassword}` }).then(
          () => undefined,
          (e: CommandFailedError) => e,
        );

        expect(error).toBeInstanceOf(CommandFailedError);
        expect(error?.stderr).toContain(`denied: User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: ecr:InitiateLayerUpload`);
        expectServiceError(
          await ecrError(['describe-images', '--repository-name', name, '--image-ids', 'imageTag=by-reader']),
          'ImageNotFoundException',
          'DescribeImages',
        );
      });

      // ECR names the repository ARN, as in
      // `… on resource: arn:aws:ecr:us-west-2:123456789012:repository/runner-test because no … policy allows …`.
      it('is denied with the repository ARN in the message, as ECR does', async () => {
        const layout = join(work, 'reader-source-arn');
        await buildOciLayout(layout, { tag: 'v1', layers: [{ files: [{ path: 'reader.txt', content: 'pushed by the reader again\n' }] }] });

        const error = await skopeo(['copy', `oci:${layout}:v1`, `docker://${uri}:by-reader`], { creds: `AWS:${readerPassword}` }).then(
          () => undefined,
          (e: CommandFailedError) => e,
        );

        expect(error?.stderr).toContain(
          `denied: User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`,
        );
      });
    });

    it('batch-delete-image by tag deletes the skopeo image', async () => {
      const deleted = await ecr(['batch-delete-image', '--repository-name', name, '--image-ids', 'imageTag=from-skopeo']);
      const listed = await ecr<{ imageIds: { imageTag?: string }[] }>(['list-images', '--repository-name', name]);

      expect(deleted).toEqual({ imageIds: [{ imageDigest: skopeoImage.manifest.digest, imageTag: 'from-skopeo' }], failures: [] });
      expect(listed.imageIds.map((id) => id.imageTag).sort()).toEqual(['v1', 'v2']);
      expectServiceError(
        await ecrError(['describe-images', '--repository-name', name, '--image-ids', 'imageTag=from-skopeo']),
        'ImageNotFoundException',
        'DescribeImages',
      );
    });

    it('delete-repository with images needs --force', async () => {
      expectServiceError(await ecrError(['delete-repository', '--repository-name', name]), 'RepositoryNotEmptyException', 'DeleteRepository');

      const deleted = await ecr<{ repository: { repositoryUri: string } }>(['delete-repository', '--repository-name', name, '--force']);

      expect(deleted.repository.repositoryUri).toBe(uri);
    });
  });

  async function loginPassword(): Promise<string> {
    return (await cli(['ecr', 'get-login-password'])).stdout.trim();
  }
});

/** DOCKER_* variables from the private dockerd's environment. */
function dockerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('DOCKER_')));
}

/** Builds a one-layer image with `content`, `docker load`s it as cargohold-e2e/<name>:latest. */
async function loadImage(dockerd: Dockerd, work: string, name: string, content: string): Promise<RunResult> {
  const file = join(work, `${name}.tar`);
  await buildDockerArchive(file, { repoTags: [`cargohold-e2e/${name}:latest`], layers: [{ files: [{ path: 'content.txt', content }] }] });
  return dockerd.docker(['load', '--input', file]);
}

/** The manifest digest from `docker push` output: `v1: digest: sha256:… size: 123`. */
function pushedDigest(output: string): string {
  const match = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(output);
  if (!match?.[1]) throw new Error(`no digest in docker push output:\n${output}`);
  return match[1];
}

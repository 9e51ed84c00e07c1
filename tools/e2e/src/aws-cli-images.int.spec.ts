import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCOUNT, READER, REGION, dockerEnv, expectServiceError, loadImage, pushedDigest, useAwsCliServer } from './aws-cli-harness';
import { AWS_CLI, awsCliEnv, describeWithClients, skopeo } from './clients';
import { startDockerd, type Dockerd } from './dockerd';
import { CommandFailedError, run } from './exec';
import { MEDIA_TYPES, buildOciLayout, type BuiltImage } from './images';

/**
 * The real AWS CLI v2 against the cargohold CLI: the journeys that cross over to `/v2/`
 * (`get-login-password | docker login`, skopeo with `AWS:$(aws ecr get-login-password)`,
 * `get-download-url-for-layer` followed by a plain GET), and what `aws ecr` then shows of the images.
 * The server, the CLI wrappers and the users come from aws-cli-harness.ts.
 */

jest.setTimeout(180_000);

describeWithClients(['aws'], 'AWS CLI v2 against cargohold', () => {
  const aws = useAwsCliServer();
  const { cli, ecr, ecrError, loginPassword } = aws;

  describeWithClients(['docker', 'dockerd', 'skopeo'], 'images pushed with docker and skopeo after aws ecr get-login-password', () => {
    const name = 'team/service';
    let dockerd: Dockerd;
    let uri: string;
    let pushedV1: string;
    let skopeoImage: BuiltImage;

    const docker = (args: string[]) => dockerd.docker(args);
    /** A bash pipeline with the CLI's isolated AWS environment plus this suite's DOCKER_HOST/DOCKER_CONFIG. */
    const bash = (script: string) =>
      run('bash', ['-c', `set -euo pipefail\n${script}`], { env: { ...awsCliEnv(), ...dockerEnv(dockerd.env), AWS: AWS_CLI, ENDPOINT: aws.server.url } });

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
      const { stdout } = await bash(`"$AWS" ecr get-login-password --endpoint-url "$ENDPOINT" | docker login --username AWS --password-stdin ${aws.host}`);

      expect(stdout).toContain('Login Succeeded');
    });

    it('docker pushes to the repositoryUri as given, and pulls it back by the same digest', async () => {
      await loadImage(dockerd, aws.work, 'app-v1', 'v1 content\n');
      await docker(['tag', 'cargohold-e2e/app-v1:latest', `${uri}:v1`]);

      pushedV1 = pushedDigest((await docker(['push', `${uri}:v1`])).stdout);
      await docker(['rmi', `${uri}:v1`]);
      const pulled = await docker(['pull', `${uri}:v1`]);

      expect(pulled.stdout).toContain(`Digest: ${pushedV1}`);
    });

    it('skopeo copies with --dest-creds AWS:$(aws ecr get-login-password)', async () => {
      const layout = join(aws.work, 'skopeo-source');
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
        await loadImage(dockerd, aws.work, 'app-v2', 'different content\n');
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
        const clientConfig = await mkdtemp(join(aws.work, 'docker-config-'));
        const error = await run('docker', ['pull', `${uri}:v1`], { env: { ...dockerd.env, DOCKER_CONFIG: clientConfig }, timeoutMs: 60_000 }).then(
          () => undefined,
          (e: CommandFailedError) => e,
        );

        expect(error).toBeInstanceOf(CommandFailedError);
        // What docker says when the registry challenges with 401 + `WWW-Authenticate: Basic` and it has no login.
        expect(error?.stderr).toMatch(/no basic auth credentials/);
      });

      it('GET /v2/ answers 401 with a Basic challenge', async () => {
        const response = await fetch(`${aws.server.url}/v2/`);
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
        const layout = join(aws.work, 'reader-source');
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
        const layout = join(aws.work, 'reader-source-arn');
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
});

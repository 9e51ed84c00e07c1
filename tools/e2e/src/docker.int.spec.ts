import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import {
  CreateRepositoryCreationTemplateCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ecr';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithClients } from './clients';
import { startDockerd, type Dockerd } from './dockerd';
import { buildDockerArchive, type BuiltDockerArchive } from './images';
import { putAccountSetting, registryTarget, startRegistryUnderTest, type RegistryUnderTest } from './registry-under-test';

/**
 * The docker CLI, through a private dockerd, against the registry under test. docker recompresses layers
 * itself, so these specs compare the digest docker pushed with the one it pulls, not with what was built.
 */

jest.setTimeout(180_000);

describeWithClients(['docker', 'dockerd'], 'docker CLI against the registry under test', () => {
  let registry: RegistryUnderTest;
  let dockerd: Dockerd;
  let work: string;

  const docker = (args: string[]) => dockerd.docker(args);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-e2e-docker-'));
    // One at a time, so afterAll can stop whichever started if the other fails.
    registry = await startRegistryUnderTest();
    // Cross-repository mounts (the repo-b push below) are opt-in on ECR, so on cargohold too.
    if (registry.target === 'cargohold') await putAccountSetting(registry.url, 'BLOB_MOUNTING', 'ENABLED');
    dockerd = await startDockerd();
    if (registry.credentials) {
      const { username, password } = registry.credentials;
      await dockerd.docker(['login', '--username', username, '--password-stdin', registry.host], { input: password });
    }
  });

  afterAll(async () => {
    await Promise.all([dockerd?.stop(), registry?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('an image loaded from a docker save archive and pushed to repo-a', () => {
    let archive: BuiltDockerArchive;
    let pushed: string;

    beforeAll(async () => {
      archive = await buildDockerArchive(join(work, 'app.tar'), {
        repoTags: ['cargohold-e2e/app:v1'],
        config: { Cmd: ['/app'] },
        layers: [{ files: [{ path: 'app', content: '#!/bin/sh\necho app\n', mode: 0o755 }] }, { randomBytes: 2 * 1024 * 1024 }],
      });
      await docker(['load', '--input', join(work, 'app.tar')]);
      await docker(['tag', 'cargohold-e2e/app:v1', `${registry.host}/repo-a:v1`]);
      pushed = pushedDigest((await docker(['push', `${registry.host}/repo-a:v1`])).stdout);
    });

    it('was loaded under its config digest as image id', async () => {
      const { stdout } = await docker(['image', 'inspect', '--format', '{{.Id}}', 'cargohold-e2e/app:v1']);

      expect(stdout.trim()).toBe(archive.imageId);
    });

    it('pulls back, after docker rmi, by the digest docker pushed', async () => {
      const image = `${registry.host}/repo-a:v1`;

      await docker(['rmi', image]);
      const pulled = await docker(['pull', image]);
      const { stdout: repoDigests } = await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);

      expect(pulled.stdout).toContain(`Digest: ${pushed}`);
      expect(JSON.parse(repoDigests)).toContain(`${registry.host}/repo-a@${pushed}`);
    });

    it('is mounted from repo-a, not uploaded again, when pushed to repo-b', async () => {
      const image = `${registry.host}/repo-b:v1`;
      await docker(['tag', 'cargohold-e2e/app:v1', image]);

      const { stdout } = await docker(['push', image]);

      expect(stdout).toContain('Mounted from repo-a');
      expect(stdout).not.toMatch(/: Pushed$/m);
      expect(pushedDigest(stdout)).toBe(pushed);
    });
  });

  describe('an image built FROM scratch with the classic builder', () => {
    it('pushes and pulls back by the same digest', async () => {
      const context = join(work, 'build-context');
      await mkdir(context, { recursive: true });
      await writeFile(join(context, 'hello.txt'), 'built from scratch\n');
      await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\nCMD ["/hello.txt"]\n');
      const image = `${registry.host}/built:v1`;

      await docker(['build', '--tag', image, context]);
      const pushed = pushedDigest((await docker(['push', image])).stdout);
      await docker(['rmi', image]);
      const pulled = await docker(['pull', image]);

      expect(pulled.stdout).toContain(`Digest: ${pushed}`);
    });
  });

  describe('a repository creation template (cargohold only: distribution has no ECR API)', () => {
    const policyText = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: ['ecr:BatchGetImage'] }],
    });

    (registryTarget() === 'cargohold' ? it : it.skip)(
      'gives the repository docker push creates under team/ exactly its settings, and none to other/',
      async () => {
        const ecr = new ECRClient({ endpoint: registry.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
        try {
          await ecr.send(
            new CreateRepositoryCreationTemplateCommand({
              prefix: 'team/',
              appliedFor: ['CREATE_ON_PUSH'],
              imageTagMutability: 'IMMUTABLE',
              repositoryPolicy: policyText,
              resourceTags: [{ Key: 'owner', Value: 'team' }],
            }),
          );
          for (const name of ['team/new-app', 'other/app']) {
            await docker(['tag', 'cargohold-e2e/app:v1', `${registry.host}/${name}:v1`]);
            await docker(['push', `${registry.host}/${name}:v1`]);
          }

          const { repositories = [] } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/new-app', 'other/app'] }));
          const [team, other] = repositories;
          expect(team?.imageTagMutability).toBe('IMMUTABLE');
          expect((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'team/new-app' }))).policyText).toBe(policyText);
          expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: team?.repositoryArn }))).tags).toEqual([{ Key: 'owner', Value: 'team' }]);
          expect(other?.imageTagMutability).toBe('MUTABLE');
          expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: other?.repositoryArn }))).tags).toEqual([]);
        } finally {
          ecr.destroy();
        }
      },
    );
  });
});

/** The manifest digest from `docker push` output: `v1: digest: sha256:… size: 123`. */
function pushedDigest(output: string): string {
  const match = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(output);
  if (!match?.[1]) throw new Error(`no digest in docker push output:\n${output}`);
  return match[1];
}

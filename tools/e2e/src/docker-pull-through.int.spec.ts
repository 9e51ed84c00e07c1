import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatePullThroughCacheRuleCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startUpstreamRegistry, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';
import { spawnCargohold, type CargoholdProcess } from './cargohold-process';
import { describeWithClients, skopeo } from './clients';
import { startDockerd, type Dockerd } from './dockerd';
import { buildOciLayout, type BuiltImage } from './images';
import { ecrLogin } from './registry-under-test';

/**
 * docker pulls an image through cargohold's pull-through cache from a docker-registry upstream on
 * loopback: docker unpacks every layer, so the cached image is a real one, and the digest docker reports
 * is the upstream's.
 */

jest.setTimeout(180_000);

describeWithClients(['docker', 'dockerd', 'skopeo'], 'docker pull through the pull-through cache', () => {
  let work: string;
  let upstream: UpstreamRegistryHandle;
  let cargohold: CargoholdProcess;
  let dockerd: Dockerd;
  let image: BuiltImage;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-e2e-ptc-'));
    upstream = await startUpstreamRegistry({ auth: 'none' });
    image = await buildOciLayout(join(work, 'layout'), {
      tag: 'v1',
      layers: [{ files: [{ path: 'hello.txt', content: 'pulled through the cache\n' }] }, { randomBytes: 512 * 1024 }],
    });
    await skopeo(['copy', '--preserve-digests', `oci:${join(work, 'layout')}:v1`, `docker://${upstream.registry}/library/hello:v1`]);
    await mkdir(join(work, 'data'));
    cargohold = await spawnCargohold({ dataDir: join(work, 'data'), config: { pullThroughCache: { insecureUpstreams: [upstream.registry] } } });
    const ecr = new ECRClient({ endpoint: cargohold.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: upstream.registry }));
    ecr.destroy();
    dockerd = await startDockerd();
    const { username, password } = await ecrLogin(cargohold.url);
    await dockerd.docker(['login', '--username', username, '--password-stdin', new URL(cargohold.url).host], { input: password });
  });

  afterAll(async () => {
    await Promise.all([dockerd?.stop(), cargohold?.stop(), upstream?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('pulls the upstream image by tag with the upstream’s digest (docker unpacks every layer it gets)', async () => {
    const reference = `${new URL(cargohold.url).host}/hub/library/hello:v1`;

    const pulled = await dockerd.docker(['pull', reference]);
    const { stdout } = await dockerd.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', reference]);

    expect(pulled.stdout).toContain(`Digest: ${image.manifest.digest}`);
    expect(JSON.parse(stdout)).toContain(`${new URL(cargohold.url).host}/hub/library/hello@${image.manifest.digest}`);
  });
});

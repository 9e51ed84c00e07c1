import { EcrApiError, type EcrCall } from '../ecr-client';
import { formatBytes, formatTime, shortDigest } from '../format';
import { useCall, usePaged } from '../hooks';
import { pageSize } from '../paging';
import { imageHref, imagesHref } from '../routes';
import { ACCEPTED_MEDIA_TYPES, type Descriptor, type ImageDetail, type ManifestDocument, type Referrer, type Repository } from '../shapes';
import { CopyLine, Loaded, Pager } from '../widgets';
import { FindingsSection } from './findings';
import { ReplicationSection } from './replication';

interface Fetched {
  readonly detail?: ImageDetail;
  readonly uri: string;
  readonly mediaType?: string;
  readonly manifest: ManifestDocument;
  /** The manifest exactly as stored, shown as is: its digest is over these bytes. */
  readonly text: string;
  readonly bytes: number;
}

/** One image: its pull lines, manifest and layers (or an index's platforms), referrers and scan findings. */
export function ImageView({ ecr, repository, digest }: { ecr: EcrCall; repository: string; digest: string }) {
  const image = useCall(`image\n${repository}\n${digest}`, async (): Promise<Fetched> => {
    const imageId = { imageDigest: digest };
    const [details, got, repos] = await Promise.all([
      ecr<{ imageDetails?: ImageDetail[] }>('DescribeImages', { repositoryName: repository, imageIds: [imageId] }),
      ecr<{ images?: { imageManifest?: string; imageManifestMediaType?: string }[]; failures?: { failureReason?: string }[] }>('BatchGetImage', {
        repositoryName: repository,
        imageIds: [imageId],
        acceptedMediaTypes: ACCEPTED_MEDIA_TYPES,
      }),
      ecr<{ repositories?: Repository[] }>('DescribeRepositories', { repositoryNames: [repository] }),
    ]);
    const found = got.images?.[0];
    if (!found?.imageManifest) throw new Error(got.failures?.[0]?.failureReason ?? 'The image has no manifest.');
    const manifest = JSON.parse(found.imageManifest) as ManifestDocument;
    return {
      ...(details.imageDetails?.[0] ? { detail: details.imageDetails[0] } : {}),
      uri: repos.repositories?.[0]?.repositoryUri ?? repository,
      ...(found.imageManifestMediaType ? { mediaType: found.imageManifestMediaType } : {}),
      manifest,
      text: found.imageManifest,
      bytes: new TextEncoder().encode(found.imageManifest).length,
    };
  });
  return (
    <section aria-labelledby="image-heading">
      <p>
        <a href={imagesHref(repository)}>← {repository}</a>
      </p>
      <h2 tabIndex={-1} id="image-heading">
        {repository} <code>{shortDigest(digest)}</code>
      </h2>
      <Loaded loading={image.loading} error={image.error}>
        {() => image.value && <ImageBody ecr={ecr} repository={repository} digest={digest} image={image.value} />}
      </Loaded>
    </section>
  );
}

function ImageBody({ ecr, repository, digest, image }: { ecr: EcrCall; repository: string; digest: string; image: Fetched }) {
  const { detail, manifest, uri } = image;
  const mediaType = image.mediaType ?? manifest.mediaType ?? 'unknown';
  return (
    <>
      <dl class="facts">
        <dt>Digest</dt>
        <dd>
          <code>{digest}</code>
        </dd>
        <dt>Tags</dt>
        <dd>
          {detail?.imageTags?.length
            ? detail.imageTags.map((tag) => (
                <span class="tag" key={tag}>
                  {tag}
                </span>
              ))
            : 'untagged'}
        </dd>
        <dt>Media type</dt>
        <dd>
          <code>{mediaType}</code>
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(detail?.imageSizeInBytes)}</dd>
        <dt>Pushed</dt>
        <dd>{formatTime(detail?.imagePushedAt)}</dd>
        <dt>Last pulled</dt>
        <dd>{formatTime(detail?.lastRecordedPullTime)}</dd>
      </dl>
      <h3>Pull</h3>
      {(detail?.imageTags ?? []).map((tag) => (
        <CopyLine key={tag} text={`docker pull ${uri}:${tag}`} label={`the pull command for ${tag}`} />
      ))}
      <CopyLine text={`docker pull ${uri}@${digest}`} label="the pull command by digest" />
      {manifest.manifests ? <Platforms repository={repository} manifests={manifest.manifests} /> : <Layers manifest={manifest} />}
      <details>
        <summary>Manifest ({formatBytes(image.bytes)})</summary>
        <pre tabIndex={0} aria-label="Manifest JSON">
          {image.text}
        </pre>
      </details>
      <Referrers ecr={ecr} repository={repository} digest={digest} />
      <FindingsSection ecr={ecr} repository={repository} digest={digest} />
      <ReplicationSection ecr={ecr} repository={repository} digest={digest} />
    </>
  );
}

function Platforms({ repository, manifests }: { repository: string; manifests: readonly Descriptor[] }) {
  return (
    <>
      <h3>Platforms</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Platform</th>
            <th scope="col">Manifest</th>
            <th scope="col">Media type</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {manifests.map((entry) => (
            <tr key={entry.digest}>
              <td>{platformName(entry)}</td>
              <td>
                <a href={imageHref(repository, entry.digest)}>
                  <code>{shortDigest(entry.digest)}</code>
                </a>
              </td>
              <td>
                <code>{entry.mediaType}</code>
              </td>
              <td>{formatBytes(entry.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const platformName = (entry: Descriptor) =>
  entry.platform ? [entry.platform.os, entry.platform.architecture, entry.platform.variant].filter(Boolean).join('/') : (entry.artifactType ?? 'unknown');

function Layers({ manifest }: { manifest: ManifestDocument }) {
  const rows = [
    ...(manifest.config ? [{ role: 'config', ...manifest.config }] : []),
    ...(manifest.layers ?? []).map((layer, i) => ({ role: `layer ${i + 1}`, ...layer })),
  ];
  return (
    <>
      <h3>Layers</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">Digest</th>
            <th scope="col">Media type</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.role}>
              <td>{row.role}</td>
              <td>
                <code title={row.digest}>{shortDigest(row.digest)}</code>
              </td>
              <td>
                <code>{row.mediaType}</code>
              </td>
              <td>{formatBytes(row.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const REFERRERS_PAGE = pageSize(50);

function Referrers({ ecr, repository, digest }: { ecr: EcrCall; repository: string; digest: string }) {
  const referrers = usePaged(`referrers\n${repository}\n${digest}`, (nextToken) =>
    ecr<{ referrers?: Referrer[]; nextToken?: string }>('ListImageReferrers', {
      repositoryName: repository,
      subjectId: { imageDigest: digest },
      maxResults: REFERRERS_PAGE,
      ...(nextToken ? { nextToken } : {}),
    }),
  );
  const items = referrers.page?.referrers ?? [];
  const missing = referrers.error instanceof EcrApiError && referrers.error.errorName === 'UnsupportedCommandException';
  return (
    <>
      <h3>Referrers</h3>
      <Loaded loading={referrers.loading} error={missing ? undefined : referrers.error}>
        {() =>
          items.length ? (
            <ul>
              {items.map((referrer) => (
                <li key={referrer.digest}>
                  <a href={imageHref(repository, referrer.digest)}>
                    <code>{shortDigest(referrer.digest)}</code>
                  </a>{' '}
                  {referrer.artifactType ?? referrer.mediaType} ({formatBytes(referrer.size)})
                </li>
              ))}
            </ul>
          ) : (
            <p>No referrers (signatures, SBOMs, attestations) point at this image.</p>
          )
        }
      </Loaded>
      {referrers.cursor.index > 0 || referrers.cursor.next ? (
        <Pager label="Referrers" cursor={referrers.cursor} loading={referrers.loading} go={referrers.go} />
      ) : null}
    </>
  );
}

import type { EcrCall } from '../ecr-client';
import { formatBytes, formatTime, shortDigest } from '../format';
import { useCall, usePaged } from '../hooks';
import { pageSize } from '../paging';
import { imageHref, repositoriesHref } from '../routes';
import type { ImageDetail, Repository } from '../shapes';
import { CopyLine, Loaded, Pager } from '../widgets';
import { LifecyclePreviewSection } from './lifecycle-preview';

const PAGE = pageSize(50);

export const pullLine = (uri: string, image: Pick<ImageDetail, 'imageDigest' | 'imageTags'>) =>
  image.imageTags?.[0] ? `docker pull ${uri}:${image.imageTags[0]}` : `docker pull ${uri}@${image.imageDigest}`;

/** The repository's images, a page of DescribeImages at a time: tags, size, pushed and last-pulled times. */
export function ImagesView({ ecr, repository }: { ecr: EcrCall; repository: string }) {
  const repo = useCall(`repository\n${repository}`, async () => {
    const out = await ecr<{ repositories?: Repository[] }>('DescribeRepositories', { repositoryNames: [repository] });
    return out.repositories?.[0];
  });
  const images = usePaged(`images\n${repository}`, (nextToken) =>
    ecr<{ imageDetails?: ImageDetail[]; nextToken?: string }>('DescribeImages', {
      repositoryName: repository,
      maxResults: PAGE,
      ...(nextToken ? { nextToken } : {}),
    }),
  );
  const items = images.page?.imageDetails ?? [];
  const uri = repo.value?.repositoryUri ?? repository;
  return (
    <section aria-labelledby="images-heading">
      <p>
        <a href={repositoriesHref()}>← Repositories</a>
      </p>
      <h2 tabIndex={-1} id="images-heading">
        {repository}
      </h2>
      <Loaded loading={repo.loading} error={repo.error}>
        {() => repo.value && <CopyLine text={repo.value.repositoryUri} label="the repository URI" />}
      </Loaded>
      <h3>Images</h3>
      <Loaded loading={images.loading} error={images.error}>
        {() =>
          items.length ? (
            <table>
              <caption class="visually-hidden">
                Images of {repository}, page {images.cursor.index + 1}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Tags</th>
                  <th scope="col">Digest</th>
                  <th scope="col">Size</th>
                  <th scope="col">Pushed</th>
                  <th scope="col">Last pulled</th>
                  <th scope="col">Scan</th>
                  <th scope="col">Pull</th>
                </tr>
              </thead>
              <tbody>
                {items.map((image) => (
                  <tr key={image.imageDigest}>
                    <td>
                      {image.imageTags?.length ? (
                        image.imageTags.map((tag) => (
                          <span class="tag" key={tag}>
                            {tag}
                          </span>
                        ))
                      ) : (
                        <span class="muted">untagged</span>
                      )}
                    </td>
                    <td>
                      <a href={imageHref(repository, image.imageDigest)}>
                        <code>{shortDigest(image.imageDigest)}</code>
                      </a>
                    </td>
                    <td>{formatBytes(image.imageSizeInBytes)}</td>
                    <td>{formatTime(image.imagePushedAt)}</td>
                    <td>{formatTime(image.lastRecordedPullTime)}</td>
                    <td>{scanSummary(image)}</td>
                    <td>
                      <CopyLine compact text={pullLine(uri, image)} label={`the pull command for ${image.imageTags?.[0] ?? shortDigest(image.imageDigest)}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No images.</p>
          )
        }
      </Loaded>
      <Pager label="Images" cursor={images.cursor} loading={images.loading} go={images.go} />
      <LifecyclePreviewSection ecr={ecr} repository={repository} />
    </section>
  );
}

function scanSummary(image: ImageDetail): string {
  const status = image.imageScanStatus?.status;
  if (!status) return '—';
  const counts = image.imageScanFindingsSummary?.findingSeverityCounts ?? {};
  const parts = Object.entries(counts).map(([severity, count]) => `${count} ${severity.toLowerCase()}`);
  return parts.length ? `${status}: ${parts.join(', ')}` : status;
}

import { useState } from 'preact/hooks';
import { EcrApiError, type EcrCall } from '../ecr-client';
import { formatTime, shortDigest } from '../format';
import { usePaged } from '../hooks';
import { pageSize } from '../paging';
import { imageHref } from '../routes';
import type { LifecyclePreview } from '../shapes';
import { ErrorNote, Loaded, Pager } from '../widgets';

const PAGE = pageSize(50);

/**
 * The repository's last lifecycle policy preview (GetLifecyclePolicyPreview): which images the policy
 * would expire or archive, a page at a time. A preview changes nothing; "Run a preview" starts one.
 */
export function LifecyclePreviewSection({ ecr, repository }: { ecr: EcrCall; repository: string }) {
  const [run, setRun] = useState(0);
  const [startError, setStartError] = useState<unknown>();
  const preview = usePaged(`lifecycle\n${repository}\n${run}`, (nextToken) =>
    ecr<LifecyclePreview>('GetLifecyclePolicyPreview', { repositoryName: repository, maxResults: PAGE, ...(nextToken ? { nextToken } : {}) }),
  );
  const start = async () => {
    setStartError(undefined);
    try {
      await ecr('StartLifecyclePolicyPreview', { repositoryName: repository });
      setRun(run + 1);
    } catch (error) {
      setStartError(error);
    }
  };
  const none = preview.error instanceof EcrApiError && preview.error.errorName.endsWith('NotFoundException');
  const out = preview.page;
  const results = out?.previewResults ?? [];
  return (
    <section aria-labelledby="lifecycle-heading">
      <h3 id="lifecycle-heading">Lifecycle policy preview</h3>
      <div class="copy-line">
        <button type="button" onClick={() => void start()}>
          Run a preview
        </button>
        <button type="button" onClick={() => setRun(run + 1)}>
          Refresh
        </button>
      </div>
      {startError !== undefined && <ErrorNote error={startError} />}
      {none ? (
        <p>No preview has been run for this repository.</p>
      ) : (
        <Loaded loading={preview.loading} error={preview.error}>
          {() => (
            <>
              <p>
                Preview {out?.status ?? 'unknown'}: {out?.summary?.expiringImageTotalCount ?? 0} image(s) would expire.
              </p>
              {results.length > 0 && (
                <table>
                  <caption class="visually-hidden">Images the lifecycle policy would act on</caption>
                  <thead>
                    <tr>
                      <th scope="col">Image</th>
                      <th scope="col">Tags</th>
                      <th scope="col">Pushed</th>
                      <th scope="col">Action</th>
                      <th scope="col">Rule</th>
                    </tr>
                  </thead>
                  <tbody>
                    {results.map((result) => (
                      <tr key={result.imageDigest}>
                        <td>
                          <a href={imageHref(repository, result.imageDigest)}>
                            <code>{shortDigest(result.imageDigest)}</code>
                          </a>
                        </td>
                        <td>{result.imageTags?.join(', ') || 'untagged'}</td>
                        <td>{formatTime(result.imagePushedAt)}</td>
                        <td>{[result.action?.type, result.action?.targetStorageClass].filter(Boolean).join(' → ') || '—'}</td>
                        <td>{result.appliedRulePriority ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </Loaded>
      )}
      {(preview.cursor.index > 0 || preview.cursor.next) && (
        <Pager label="Lifecycle preview" cursor={preview.cursor} loading={preview.loading} go={preview.go} />
      )}
    </section>
  );
}

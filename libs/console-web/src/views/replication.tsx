import type { EcrCall } from '../ecr-client';
import { useCall } from '../hooks';
import type { ReplicationStatus } from '../shapes';
import { Loaded } from '../widgets';

/** Where the image has been replicated to (DescribeImageReplicationStatus), one row per destination. */
export function ReplicationSection({ ecr, repository, digest }: { ecr: EcrCall; repository: string; digest: string }) {
  const statuses = useCall(`replication\n${repository}\n${digest}`, async () => {
    const out = await ecr<{ replicationStatuses?: ReplicationStatus[] }>('DescribeImageReplicationStatus', {
      repositoryName: repository,
      imageId: { imageDigest: digest },
    });
    return out.replicationStatuses ?? [];
  });
  return (
    <section aria-labelledby="replication-heading">
      <h3 id="replication-heading">Replication</h3>
      <Loaded loading={statuses.loading} error={statuses.error}>
        {() =>
          statuses.value?.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">Region</th>
                  <th scope="col">Registry</th>
                  <th scope="col">Status</th>
                  <th scope="col">Failure</th>
                </tr>
              </thead>
              <tbody>
                {statuses.value.map((status) => (
                  <tr key={`${status.registryId}/${status.region}`}>
                    <td>{status.region ?? '—'}</td>
                    <td>{status.registryId ?? '—'}</td>
                    <td>{status.status ?? '—'}</td>
                    <td>{status.failureCode ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>Not replicated: no replication rule sends this repository anywhere.</p>
          )
        }
      </Loaded>
    </section>
  );
}

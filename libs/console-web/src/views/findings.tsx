import { EcrApiError, type EcrCall } from '../ecr-client';
import { formatTime } from '../format';
import { usePaged } from '../hooks';
import { pageSize } from '../paging';
import { SEVERITIES, type Finding, type ScanFindings } from '../shapes';
import { Loaded, Pager } from '../widgets';

const PAGE = pageSize(100);

/** DescribeImageScanFindings: the severity counts (a table and a bar chart) and the findings, paged. */
export function FindingsSection({ ecr, repository, digest }: { ecr: EcrCall; repository: string; digest: string }) {
  const findings = usePaged(`findings\n${repository}\n${digest}`, (nextToken) =>
    ecr<ScanFindings>('DescribeImageScanFindings', {
      repositoryName: repository,
      imageId: { imageDigest: digest },
      maxResults: PAGE,
      ...(nextToken ? { nextToken } : {}),
    }),
  );
  const notScanned = findings.error instanceof EcrApiError && findings.error.errorName === 'ScanNotFoundException';
  const out = findings.page;
  return (
    <section aria-labelledby="findings-heading">
      <h3 id="findings-heading">Scan findings</h3>
      {notScanned ? (
        <p>This image has not been scanned.</p>
      ) : (
        <Loaded loading={findings.loading} error={findings.error}>
          {() =>
            out && (
              <>
                <p>
                  Scan {out.imageScanStatus?.status ?? 'unknown'}
                  {out.imageScanFindings?.imageScanCompletedAt ? `, completed ${formatTime(out.imageScanFindings.imageScanCompletedAt)}` : ''}
                  {out.imageScanStatus?.description ? `: ${out.imageScanStatus.description}` : ''}
                </p>
                <SeverityChart counts={out.imageScanFindings?.findingSeverityCounts ?? {}} />
                <FindingsTable findings={out.imageScanFindings?.findings ?? []} />
              </>
            )
          }
        </Loaded>
      )}
      {(findings.cursor.index > 0 || findings.cursor.next) && <Pager label="Findings" cursor={findings.cursor} loading={findings.loading} go={findings.go} />}
    </section>
  );
}

const BAR_HEIGHT = 18;
const CHART_WIDTH = 320;

/** Counts by severity as an inline SVG bar chart; the table beside it carries the same numbers in text. */
export function SeverityChart({ counts }: { counts: Readonly<Record<string, number>> }) {
  const max = Math.max(1, ...SEVERITIES.map((severity) => counts[severity] ?? 0));
  const total = SEVERITIES.reduce((sum, severity) => sum + (counts[severity] ?? 0), 0);
  return (
    <div class="severity">
      <table class="counts">
        <caption>Findings by severity ({total} in all)</caption>
        <tbody>
          {SEVERITIES.map((severity) => (
            <tr key={severity}>
              <th scope="row">{severity}</th>
              <td>{counts[severity] ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <svg role="img" aria-label={`Bar chart of ${total} findings by severity`} width={CHART_WIDTH} height={SEVERITIES.length * (BAR_HEIGHT + 6)}>
        {SEVERITIES.map((severity, i) => {
          const count = counts[severity] ?? 0;
          const width = Math.round(((CHART_WIDTH - 140) * count) / max);
          const y = i * (BAR_HEIGHT + 6);
          return (
            <g key={severity}>
              <text x="0" y={y + BAR_HEIGHT - 5} class="chart-label">
                {severity}
              </text>
              <rect x="110" y={y} width={width} height={BAR_HEIGHT} class={`bar bar-${severity.toLowerCase()}`} />
              <text x={114 + width} y={y + BAR_HEIGHT - 5} class="chart-label">
                {count}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

const attribute = (finding: Finding, key: string) => finding.attributes?.find((entry) => entry.key === key)?.value ?? '—';

function FindingsTable({ findings }: { findings: readonly Finding[] }) {
  if (findings.length === 0) return <p>No findings.</p>;
  return (
    <table>
      <caption class="visually-hidden">Findings</caption>
      <thead>
        <tr>
          <th scope="col">Vulnerability</th>
          <th scope="col">Severity</th>
          <th scope="col">Package</th>
          <th scope="col">Version</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((finding, i) => (
          <tr key={`${finding.name}-${i}`}>
            <td>{finding.uri ? <a href={finding.uri}>{finding.name}</a> : finding.name}</td>
            <td>{finding.severity ?? '—'}</td>
            <td>{attribute(finding, 'package_name')}</td>
            <td>{attribute(finding, 'package_version')}</td>
            <td>{finding.description ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

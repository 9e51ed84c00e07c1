import type { InstalledPackage } from '../inventory/types';
import { advisoryCoordinates } from './affected';
import { parseCvssV3, type CvssV3 } from './cvss';
import type { OsvRecord } from './osv';

/** ECR's finding severities, as DescribeImageScanFindings reports them. */
export type FindingSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED' | 'UNTRIAGED';

export interface FindingAttribute {
  key: 'package_name' | 'package_version' | 'CVSS3_SCORE' | 'CVSS3_VECTOR';
  value: string;
}

/** One `imageScanFindings.findings[]` item of DescribeImageScanFindings. */
export interface ScanFinding {
  name: string;
  description: string;
  uri: string;
  severity: FindingSeverity;
  attributes: FindingAttribute[];
}

export type FindingSeverityCounts = Partial<Record<FindingSeverity, number>>;

/** The severity of a CVSS v3 base score, by the bands ECR and NVD use. */
export function severityFromScore(score: number): FindingSeverity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'INFORMATIONAL';
}

/** GitHub advisories grade without a vector sometimes; their words map onto ECR's. */
const DATABASE_SEVERITIES: Readonly<Record<string, FindingSeverity>> = {
  CRITICAL: 'CRITICAL',
  HIGH: 'HIGH',
  MODERATE: 'MEDIUM',
  MEDIUM: 'MEDIUM',
  LOW: 'LOW',
};

/** The record's CVSS v3 vector: top-level first, then the affected entry's. */
export function cvssV3Of(record: OsvRecord): CvssV3 | undefined {
  const severities = [...(record.severity ?? []), ...(record.affected ?? []).flatMap((a) => a.severity ?? [])];
  for (const severity of severities) {
    const parsed = severity.type === 'CVSS_V3' ? parseCvssV3(severity.score) : undefined;
    if (parsed) return parsed;
  }
  return undefined;
}

/**
 * The CVE a record is about: its id, an alias, an upstream id, or the CVE a distribution's id wraps
 * (`DEBIAN-CVE-2023-5678`, `ALPINE-CVE-2024-2511`).
 */
export function cveOf(record: OsvRecord): string | undefined {
  const ids = [record.id, ...(record.aliases ?? []), ...(record.upstream ?? [])];
  const exact = ids.find((id) => CVE.test(id));
  return exact ?? /-(CVE-\d{4}-\d{4,})$/.exec(record.id)?.[1];
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

/**
 * The finding ECR would report for a matched record: named by its CVE when it has one, graded by its CVSS v3 vector, else by the database's own word, else UNTRIAGED.
 */
export function toFinding(record: OsvRecord, pkg: InstalledPackage): ScanFinding {
  const name = cveOf(record) ?? record.id;
  const cvss = cvssV3Of(record);
  const declared = record.database_specific?.['severity'];
  const severity = cvss
    ? severityFromScore(cvss.baseScore)
    : ((typeof declared === 'string' ? DATABASE_SEVERITIES[declared.toUpperCase()] : undefined) ?? 'UNTRIAGED');
  const { name: packageName, version } = advisoryCoordinates(pkg);
  const attributes: FindingAttribute[] = [
    { key: 'package_name', value: packageName },
    { key: 'package_version', value: version },
  ];
  if (cvss) {
    attributes.push({ key: 'CVSS3_SCORE', value: cvss.baseScore.toFixed(1) }, { key: 'CVSS3_VECTOR', value: cvss.vector });
  }
  return { name, description: record.details?.trim() || record.summary?.trim() || name, uri: uriOf(record, name), severity, attributes };
}

/** Orders findings as a reader wants them: most severe first, then by name and package. */
export function sortFindings(findings: ScanFinding[]): ScanFinding[] {
  const rank = (s: FindingSeverity): number => SEVERITY_ORDER.indexOf(s);
  const key = (f: ScanFinding): string => f.attributes.map((a) => a.value).join('\0');
  return [...findings].sort((a, b) => rank(a.severity) - rank(b.severity) || compare(a.name, b.name) || compare(key(a), key(b)));
}

export function countSeverities(findings: readonly ScanFinding[]): FindingSeverityCounts {
  const counts: FindingSeverityCounts = {};
  for (const finding of findings) counts[finding.severity] = (counts[finding.severity] ?? 0) + 1;
  return counts;
}

const SEVERITY_ORDER: readonly FindingSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED', 'UNTRIAGED'];

function uriOf(record: OsvRecord, name: string): string {
  const references = record.references ?? [];
  const advisory = references.find((r) => r.type === 'ADVISORY') ?? references.find((r) => r.type === 'WEB');
  if (advisory) return advisory.url;
  return name.startsWith('CVE-') ? `https://nvd.nist.gov/vuln/detail/${name}` : `https://osv.dev/vulnerability/${record.id}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

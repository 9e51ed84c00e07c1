import { essenceOf } from '@cargohold/oci';

/**
 * Content negotiation for manifest GETs: may a response of `mediaType` be sent to a client that sent
 * these Accept header(s)? No Accept (or an empty one) accepts anything. Otherwise the most specific
 * matching range decides (exact type, then `type/*`, then `*\/*`, per RFC 9110 §12.5.1): acceptable
 * unless its quality is 0. Other q-values carry no preference here, since a manifest has one type.
 */
export function acceptsMediaType(mediaType: string, accept: string | string[] | undefined): boolean {
  const ranges = (Array.isArray(accept) ? accept : [accept ?? ''])
    .flatMap((header) => header.split(','))
    .map((range) => range.trim())
    .filter((range) => range !== '');
  if (ranges.length === 0) return true;

  const wanted = essenceOf(mediaType);
  const family = `${wanted.slice(0, wanted.indexOf('/'))}/*`;
  let best: { specificity: number; acceptable: boolean } | undefined;
  for (const range of ranges) {
    const type = essenceOf(range);
    const specificity = type === wanted ? 3 : type === family ? 2 : type === '*/*' ? 1 : 0;
    if (specificity === 0) continue;
    const acceptable = quality(range) > 0;
    if (best === undefined || specificity > best.specificity) best = { specificity, acceptable };
    else if (specificity === best.specificity) best.acceptable ||= acceptable;
  }
  return best?.acceptable ?? false;
}

/** The `q` parameter of one media range; 1 when absent or unreadable. */
function quality(range: string): number {
  for (const parameter of range.split(';').slice(1)) {
    const [name, value] = parameter.split('=', 2).map((part) => part.trim());
    if (name?.toLowerCase() === 'q' && value !== undefined && value !== '') {
      const q = Number(value);
      return Number.isFinite(q) ? q : 1;
    }
  }
  return 1;
}

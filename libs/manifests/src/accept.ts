import { essenceOf } from '@cargohold/oci';

/**
 * Content negotiation for manifest GETs: may a response of `mediaType` be sent to a client that sent
 * these Accept header(s)? No Accept (or an empty one) accepts anything. Otherwise the most specific
 * matching range decides (exact type, then `type/*`, then `*\/*`, per RFC 9110 §12.5.1): acceptable
 * unless its quality is 0. Other q-values carry no preference here, since a manifest has one type.
 */
export function acceptsMediaType(mediaType: string, accept: string | string[] | undefined): boolean {
  if (typeof accept !== 'string' || accept.length > MAX_MEMO_ACCEPT) return negotiate(mediaType, accept);
  // The header a parser hands over is a new string every request, so a map lookup hashes all of it
  // (~250 characters from docker or skopeo); comparing with the last header seen is several times cheaper.
  let verdicts = accept === last.accept ? last.verdicts : memo.get(accept);
  if (!verdicts) {
    if (memo.size >= MAX_MEMO_HEADERS) memo.clear();
    verdicts = new Map();
    memo.set(accept, verdicts);
  }
  let verdict = verdicts.get(mediaType);
  if (verdict === undefined) {
    if (verdicts.size >= MAX_MEMO_TYPES) verdicts.clear();
    verdict = negotiate(mediaType, accept);
    verdicts.set(mediaType, verdict);
  }
  last.accept = accept;
  last.verdicts = verdicts;
  return verdict;
}

/**
 * Verdicts by Accept header, then media type: clients send the same few headers on every pull, and the
 * answer depends on nothing else. Bounded (the headers are the client's): at most this many headers of
 * at most this length, and media types per header.
 */
const memo = new Map<string, Map<string, boolean>>();
const last: { accept?: string; verdicts?: Map<string, boolean> } = {};
const MAX_MEMO_HEADERS = 256;
const MAX_MEMO_ACCEPT = 2048;
const MAX_MEMO_TYPES = 64;

function negotiate(mediaType: string, accept: string | string[] | undefined): boolean {
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

/** ECR's JSON protocol sends timestamps as epoch seconds. */
export function formatTime(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined) return '—';
  return new Date(epochSeconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export const shortDigest = (digest: string) => digest.replace(/^(sha256:)?(.{12}).*$/, '$1$2');

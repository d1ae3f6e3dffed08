/**
 * Numbers and names in words, as every report shows them: bytes, dollars, plurals, short digests. Pure.
 */

/** Bytes in decimal units, as the AWS console shows them: `0 B`, `950 B`, `1.2 MB`, `3.4 GB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** US dollars: `$12.34`, `$1,234.50`, `$0.00`. */
export function formatUsd(usd: number): string {
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** US dollars a month: `$12.34/month`. */
export function formatMonthly(usd: number): string {
  return `${formatUsd(usd)}/month`;
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return count === 1 ? word : many;
}

/** `sha256:0123456789ab`: enough of a digest to recognise it. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

export function days(count: number): string {
  return `${count} ${plural(count, 'day')}`;
}

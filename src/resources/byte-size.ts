/** Byte sizes as people write them in config files (`6GB`, `512 MiB`) and read them in reports. */

const units: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
};

/**
 * Parses `6GB`, `6 GiB`, `512M` or a plain number of bytes. `GB` is 10^9 and `GiB`
 * 2^30, as in the SI and IEC standards; single letters (`6G`) are binary, as in
 * `free -h`. Throws a RangeError that shows the accepted forms.
 */
export function parseByteSize(value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.floor(value);
    throw new RangeError(`expected a byte size of 0 or more, got ${value}`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = units[(match?.[2] || 'b').toLowerCase()];
  if (match === null || unit === undefined)
    throw new RangeError(`"${value}" is not a byte size; write e.g. 6GB, 512MiB or 1073741824`);
  return Math.floor(Number(match[1]) * unit);
}

/** Formats bytes for people, in binary units: `1.5 GiB`, `300 MiB`, `12 KiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  for (const unit of ['B', 'KiB', 'MiB', 'GiB']) {
    if (value < 1024)
      return `${sign}${unit === 'B' ? value : value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
    value /= 1024;
  }
  return `${sign}${value.toFixed(1)} TiB`;
}

/**
 * Reads figures out of the Prometheus text format that `GET /metrics` answers with.
 */

/**
 * The sum of every sample of metric `name` whose labels include all of `labels` (so a
 * counter split by label is summed whole, or over the matching series). 0 when none match.
 */
export function sumSamples(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = match[2] ?? '';
    const wanted = Object.entries(labels).every(([label, value]) =>
      present.includes(`${label}="${value}"`),
    );
    if (wanted) sum += Number(match[3]);
  }
  return sum;
}

/** Fetches `<url>/metrics` as text. */
export async function scrapeMetrics(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  if (!response.ok) throw new Error(`GET ${url}/metrics answered ${response.status}`);
  return response.text();
}

/** Reading a Prometheus text exposition in tests: one sample's value, or every metric family named. */

/** Samples by their full line name: `acs_sessions_total{outcome="quiet"}` → 12. */
export type Samples = Map<string, number>;

export function parseSamples(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/** The metric families of an exposition (its # TYPE lines). */
export function families(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
}

/** The value of `name` with exactly these labels (in the order prom-client writes them), 0 when absent. */
export function sample(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  const entries = Object.entries(labels);
  const key = entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  return samples.get(key) ?? 0;
}

/** GET a /metrics and parse it; throws unless 200. */
export async function scrape(url: string, token: string | null): Promise<{ text: string; samples: Samples }> {
  const r = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${text}`);
  return { text, samples: parseSamples(text) };
}

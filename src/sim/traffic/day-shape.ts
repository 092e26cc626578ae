/**
 * A residential broadband day: load by local hour, lowest around 04:00,
 * highest in the evening (19:00-22:00), as operators' traffic curves show.
 * Piecewise linear between hourly points and scaled so a day averages 1, so
 * "rate x integral" is a counter and its integral has a closed form: a
 * counter at any time costs a few operations, whatever the uptime.
 */

/** Relative load at 00:00, 01:00 ... 24:00 (the last equals the first). */
const HOURLY = [0.55, 0.38, 0.25, 0.17, 0.13, 0.14, 0.2, 0.33, 0.45, 0.5, 0.55, 0.6, 0.66, 0.66, 0.64, 0.68, 0.75, 0.86, 0.96, 1.0, 1.0, 1.0, 0.92, 0.75, 0.55];
const HOUR_S = 3600;
const DAY_S = 86_400;

/** Hourly points scaled to a daily mean of 1, and the integral up to each hour. */
function build(): { points: number[]; cumulative: number[] } {
  let raw = 0;
  for (let h = 0; h < 24; h++) raw += ((HOURLY[h] + HOURLY[h + 1]) / 2) * HOUR_S;
  const scale = DAY_S / raw;
  const points = HOURLY.map((p) => p * scale);
  const cumulative = [0];
  for (let h = 0; h < 24; h++) cumulative.push(cumulative[h] + ((points[h] + points[h + 1]) / 2) * HOUR_S);
  return { points, cumulative };
}

const { points: POINTS, cumulative: CUMULATIVE } = build();

/** The load (daily mean 1) at a local time of day in seconds. */
export function loadAt(localS: number): number {
  const s = ((localS % DAY_S) + DAY_S) % DAY_S;
  const h = Math.floor(s / HOUR_S);
  const x = (s - h * HOUR_S) / HOUR_S;
  return POINTS[h] + (POINTS[h + 1] - POINTS[h]) * x;
}

/**
 * The integral of the load from local time 0 (1970-01-01 00:00) to `localS`
 * seconds, in "average seconds": over a whole day it grows by 86,400.
 */
export function loadIntegral(localS: number): number {
  const days = Math.floor(localS / DAY_S);
  const s = localS - days * DAY_S;
  const h = Math.min(23, Math.floor(s / HOUR_S));
  const x = (s - h * HOUR_S) / HOUR_S;
  const within = HOUR_S * (POINTS[h] * x + ((POINTS[h + 1] - POINTS[h]) * x * x) / 2);
  return days * DAY_S + CUMULATIVE[h] + within;
}

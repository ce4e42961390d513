// Shared by the bench modules (the runner skips files starting with "_"): the
// statistics every figure is reported with. Pure functions, tested in
// _stats.test.ts.
//
// A module hands the runner figures whose value and peers are arrays of
// samples, one per run (`figure(...)`); the runner reduces every array the
// same way (`summarize`): the median, with the min and max as the spread.

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantile (0 ≤ q ≤ 1) by the nearest-rank method: the smallest value with at least q of the list at or below it. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** One contender's samples reduced to what the report shows. */
export function summarize(samples) {
  const values = (Array.isArray(samples) ? samples : [samples]).filter((v) => typeof v === "number" && Number.isFinite(v));
  if (values.length === 0) return { value: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0, samples: [] };
  return { value: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length, samples: values };
}

/**
 * A figure as a module returns it: `samples` for the product, `peers` as
 * name → samples. `goal` is a number, or `{ peer, factor }` for a goal set by
 * a peer's median in the same run (`factor` × that peer).
 */
export function figure({ name, unit, better, samples, peers = {}, goal, secondary = false, exact = false, note }) {
  if (better !== "lower" && better !== "higher") throw new Error(`${name}: better must be "lower" or "higher"`);
  return { name, unit, better, samples: [...samples], peers: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, [...v]])), ...(goal === undefined ? {} : { goal }), ...(secondary ? { secondary } : {}), ...(exact ? { exact } : {}), ...(note === undefined ? {} : { note }) };
}

/** Reduces a module's figure (samples) to the reported result (medians, spreads, goal resolved). */
export function finish(raw) {
  const main = summarize(raw.samples);
  const peers = Object.fromEntries(Object.entries(raw.peers ?? {}).map(([k, v]) => [k, summarize(v)]));
  let goal;
  let goalRule;
  if (typeof raw.goal === "number") goal = raw.goal;
  else if (raw.goal !== undefined) {
    const peer = peers[raw.goal.peer];
    if (peer === undefined) throw new Error(`${raw.name}: goal refers to a missing peer ${raw.goal.peer}`);
    goal = peer.value * raw.goal.factor;
    goalRule = `${raw.better === "lower" ? "≤" : "≥"} ${raw.goal.factor}× ${raw.goal.peer}`;
  }
  const met = goal === undefined || !Number.isFinite(main.value) ? undefined : raw.better === "lower" ? main.value <= goal : main.value >= goal;
  return {
    name: raw.name,
    unit: raw.unit,
    better: raw.better,
    ...main,
    peers,
    ...(goal === undefined ? {} : { goal, met }),
    ...(goalRule === undefined ? {} : { goalRule }),
    ...(raw.secondary ? { secondary: true } : {}),
    ...(raw.exact ? { exact: true } : {}),
    ...(raw.note === undefined ? {} : { note: raw.note }),
  };
}

/**
 * Runs `once(run)` `runs` times; each call returns a map name → number (one
 * sample per contender). Contenders run in a rotated order each round, so
 * machine load and cache state fall on all of them alike. Returns name → samples.
 */
export async function rounds(runs, contenders) {
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      samples[name].push(await contenders[name](round));
    }
  }
  return samples;
}

/**
 * Repeats a whole measurement `runs` times when its contenders cannot be run
 * one at a time: `once(run)` returns { key: number } and the result maps each
 * key to its samples.
 */
export async function repeat(runs, once) {
  const samples = {};
  for (let run = 0; run < runs; run++) {
    const out = await once(run);
    for (const [key, value] of Object.entries(out)) (samples[key] ??= []).push(value);
  }
  return samples;
}

// Shared by the bench runner: the printed table, `--compare` against an
// earlier run, and docs/benchmarks.md. Pure functions over the JSON the
// runner writes (tested in _report.test.ts).

/** Three significant digits at most, no exponent for the magnitudes figures have. */
export function fmt(v) {
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return "–";
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return "0";
  return v.toPrecision(3);
}

/** A result's value with its spread: `12.3 [11.9–13.0]`; one run or exact figures show no spread. */
export function withSpread(r) {
  if (r.exact || r.runs <= 1 || r.min === undefined || r.max === undefined) return fmt(r.value);
  return `${fmt(r.value)} [${fmt(r.min)}–${fmt(r.max)}]`;
}

/** The product's value over the peer's (×1.00 = level). */
export function ratio(r, peer) {
  return typeof peer?.value === "number" && peer.value !== 0 ? r.value / peer.value : Number.NaN;
}

/** Older reports kept peers as bare numbers: read them as one run with no spread. */
export function normalizePeer(peer) {
  return typeof peer === "number" ? { value: peer, min: peer, max: peer, runs: 1 } : peer;
}

export function goalText(r) {
  if (typeof r.goal !== "number") return "";
  return r.goalRule !== undefined ? `${r.goalRule} (${fmt(r.goal)})` : `${r.better === "lower" ? "≤" : "≥"} ${fmt(r.goal)}`;
}

export function metText(r) {
  if (typeof r.goal !== "number") return "";
  const met = r.met ?? (r.better === "lower" ? r.value <= r.goal : r.value >= r.goal);
  return met ? "yes" : "NO";
}

export function peersText(r) {
  return Object.entries(r.peers ?? {})
    .map(([name, p]) => {
      const peer = normalizePeer(p);
      const x = ratio(r, peer);
      return `${name} ${withSpread(peer)}${Number.isFinite(x) ? ` (×${x.toFixed(2)})` : ""}`;
    })
    .join("; ");
}

/** Rows of cells: headline figures first, then the secondary (kinder or narrower) ones. */
export function tableRows(results) {
  const ordered = [...results.filter((r) => !r.secondary), ...results.filter((r) => r.secondary)];
  return [["name", "value [min–max]", "unit", "runs", "goal", "met", "peers [min–max] (×ratio)"], ...ordered.map((r) => [`${r.secondary ? "  " : ""}${r.name}`, withSpread(r), r.unit, String(r.runs ?? 1), goalText(r), metText(r), peersText(r)])];
}

export function formatTable(results) {
  const rows = tableRows(results);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd()).join("\n");
}

/**
 * Each figure of `current` against the same figure in `previous`. A move is
 * flagged when each median lies outside the other run's min–max (or, when
 * the earlier run kept no spread, outside this run's).
 */
export function compareReports(previous, current) {
  const before = new Map((previous.results ?? []).map((r) => [r.name, r]));
  const rows = [];
  for (const r of current.results ?? []) {
    const p = before.get(r.name);
    if (p === undefined) {
      rows.push({ name: r.name, status: "new", current: r.value, unit: r.unit });
      continue;
    }
    const change = p.value === 0 ? Number.NaN : (r.value - p.value) / Math.abs(p.value);
    const outside = (v, s) => typeof s.min === "number" && typeof s.max === "number" && (v < s.min || v > s.max);
    const previousHasSpread = typeof p.min === "number" && typeof p.max === "number" && (p.runs ?? 1) > 1;
    const moved = previousHasSpread ? outside(r.value, p) && outside(p.value, r) : outside(p.value, r);
    const improved = r.better === "lower" ? r.value < p.value : r.value > p.value;
    rows.push({ name: r.name, status: moved ? (improved ? "better" : "worse") : "within spread", previous: p.value, current: r.value, change, unit: r.unit });
  }
  const now = new Set((current.results ?? []).map((r) => r.name));
  for (const p of previous.results ?? []) if (!now.has(p.name)) rows.push({ name: p.name, status: "gone", previous: p.value, unit: p.unit });
  return rows;
}

export function formatComparison(rows) {
  const cells = rows.map((row) => {
    const change = Number.isFinite(row.change) ? `${row.change >= 0 ? "+" : ""}${(row.change * 100).toFixed(1)}%` : "";
    const flag = row.status === "worse" ? "WORSE (beyond spread)" : row.status === "better" ? "better (beyond spread)" : row.status;
    return [row.name, row.previous === undefined ? "" : fmt(row.previous), row.current === undefined ? "" : fmt(row.current), row.unit ?? "", change, flag];
  });
  const all = [["name", "before", "now", "unit", "change", ""], ...cells];
  const widths = all[0].map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

const mdCell = (text) => String(text).replaceAll("|", "\\|");

/** File name of a figure's chart, relative to docs/. */
export const chartPath = (name) => `benchmarks/${name.replace(/[^a-z0-9_.-]/gi, "_")}.svg`;

/** docs/benchmarks.md: when and where, the table, then one chart per figure. */
export function markdown(report) {
  const rows = tableRows(report.results);
  const lines = [
    "# Benchmarks",
    "",
    "Written by `npm run bench -- --docs` (Scripts/bench.mjs); every figure is measured against its peers in the same run.",
    "Each value is the median of its runs, with the min–max spread in brackets; a peer's ratio is the product's value over the peer's.",
    "Indented names are secondary figures: kinder or narrower variants of a headline figure, shown for what they explain.",
    "",
    `Run at ${report.at} on ${report.machine}.`,
    "",
    `| ${rows[0].join(" | ")} |`,
    `| ${rows[0].map(() => "---").join(" | ")} |`,
    ...rows.slice(1).map((row) => `| ${row.map((cell, i) => mdCell(i === 0 ? cell.trim().replace(/^/, cell.startsWith("  ") ? "↳ " : "") : cell)).join(" | ")} |`),
    "",
  ];
  if (report.errors?.length) lines.push(`Modules that failed in this run: ${report.errors.map((e) => e.module).join(", ")}.`, "");
  lines.push("## Charts", "", "Bars are medians, whiskers the min–max of the runs, the dashed line the goal.", "");
  for (const r of report.results) {
    lines.push(`### ${r.name}`, "");
    if (r.note) lines.push(r.note, "");
    lines.push(`![${r.name}](${chartPath(r.name)})`, "");
  }
  return `${lines.join("\n")}`;
}

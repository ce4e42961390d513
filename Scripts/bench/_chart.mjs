// Shared by the bench runner: one small SVG per figure, the product's bar
// against each peer's, with min–max whiskers and the goal as a dashed line.
// A pure function of the figure (tested in _report.test.ts).
import { fmt, normalizePeer } from "./_report.mjs";

const escapeXml = (text) => String(text).replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]);

const LABEL = 170;
const BAR = 230;
const VALUE = 110;
const ROW = 22;
const TOP = 34;

/** Bars for `stint` and each peer, on a scale from 0 to the largest value, max or goal. */
export function chartSvg(r) {
  const bars = [{ label: "stint", ...r, main: true }, ...Object.entries(r.peers ?? {}).map(([label, p]) => ({ label, ...normalizePeer(p), main: false }))].filter((b) => typeof b.value === "number" && Number.isFinite(b.value));
  const top = Math.max(...bars.map((b) => Math.max(b.value, Number.isFinite(b.max) ? b.max : b.value)), typeof r.goal === "number" && Number.isFinite(r.goal) ? r.goal : 0);
  const scale = (v) => (top > 0 ? (Math.max(0, v) / top) * BAR : 0);
  const width = LABEL + BAR + VALUE;
  const height = TOP + bars.length * ROW + 8;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, Helvetica, Arial, sans-serif" font-size="11">`,
    `<title>${escapeXml(r.name)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="4" y="13" font-weight="bold" fill="#1a202c">${escapeXml(r.name)} (${escapeXml(r.unit)}, ${r.better} is better)</text>`,
  ];
  bars.forEach((b, i) => {
    const y = TOP + i * ROW;
    const w = scale(b.value);
    parts.push(`<text x="${LABEL - 6}" y="${y + 13}" text-anchor="end" fill="#2d3748">${escapeXml(b.label)}</text>`);
    parts.push(`<rect x="${LABEL}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${b.main ? "#2b6cb0" : "#a0aec0"}"/>`);
    if (Number.isFinite(b.min) && Number.isFinite(b.max) && b.max > b.min) {
      const x1 = LABEL + scale(b.min);
      const x2 = LABEL + scale(b.max);
      const cy = y + ROW / 2 - 1;
      parts.push(`<path d="M${x1.toFixed(1)} ${cy}H${x2.toFixed(1)}M${x1.toFixed(1)} ${cy - 4}V${cy + 4}M${x2.toFixed(1)} ${cy - 4}V${cy + 4}" stroke="#1a202c" stroke-width="1"/>`);
    }
    parts.push(`<text x="${LABEL + BAR + 6}" y="${y + 13}" fill="#2d3748">${escapeXml(fmt(b.value))}</text>`);
  });
  if (typeof r.goal === "number" && Number.isFinite(r.goal)) {
    const x = (LABEL + scale(r.goal)).toFixed(1);
    parts.push(`<path d="M${x} ${TOP - 2}V${height - 4}" stroke="#c53030" stroke-width="1" stroke-dasharray="3 2"/>`);
    parts.push(`<text x="${x}" y="${TOP - 5}" text-anchor="middle" fill="#c53030">goal ${escapeXml(fmt(r.goal))}</text>`);
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

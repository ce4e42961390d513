/** Patterns that look like secrets; replaced before anything is logged or sent out. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /sk-(?:proj-)?[A-Za-z0-9_-]{16,}/g,
  /\b(?:ghp|gho|ghu|ghs|github_pat)_[A-Za-z0-9_]{16,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{16,}/g,
];
const SECRET_KEYS = /(?:api[-_]?key|authorization|token|secret|password|x-api-key)$/i;

/** Replaces secret-looking substrings with `[redacted]`. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "[redacted]");
  return out;
}

/** Deep-copies log data with secrets redacted: secret-named keys dropped to `[redacted]`, strings scrubbed. */
export function redactData(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[depth]";
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactData(item, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message), code: (value as { code?: unknown }).code };
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEYS.test(key) ? "[redacted]" : redactData(item, depth + 1);
    return out;
  }
  return value;
}

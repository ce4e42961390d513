/**
 * Redaction of text before it leaves the machine. Each rule replaces a kind
 * of secret with a placeholder; the count goes on the job record so the
 * user can see that something was withheld.
 */
interface Rule {
  readonly name: string;
  readonly pattern: RegExp;
  readonly replace: string | ((match: string, ...groups: string[]) => string);
  readonly optional?: "emails";
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

const RULES: readonly Rule[] = [
  { name: "anthropic-key", pattern: /sk-ant-[A-Za-z0-9_-]{8,}/g, replace: "[redacted-key]" },
  { name: "openai-key", pattern: /\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{16,}/g, replace: "[redacted-key]" },
  { name: "github-token", pattern: /\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{16,}/g, replace: "[redacted-token]" },
  { name: "slack-token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: "[redacted-token]" },
  { name: "aws-key", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: "[redacted-key]" },
  { name: "google-key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: "[redacted-key]" },
  { name: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, replace: "[redacted-token]" },
  { name: "bearer", pattern: /\b([Bb]earer|[Tt]oken)(\s+|[:=]\s*)[A-Za-z0-9._~+/=-]{16,}/g, replace: (_m, word: string, sep: string) => `${word}${sep}[redacted-token]` },
  {
    name: "secret-assignment",
    pattern: /\b((?:api[_-]?key|secret|password|passwd|pwd|access[_-]?token|auth[_-]?token)["']?\s*[:=]\s*["']?)([^\s"',;]{6,})/gi,
    replace: (_m, lead: string) => `${lead}[redacted]`,
  },
  { name: "url-password", pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, replace: (_m, lead: string, _p: string, at: string) => `${lead}[redacted]${at}` },
  {
    name: "card-number",
    pattern: /\b(?:\d[ -]?){12,18}\d\b/g,
    replace: (match: string) => (luhnValid(match.replace(/[ -]/g, "")) ? "[redacted-card]" : match),
  },
  { name: "email", pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, replace: "[redacted-email]", optional: "emails" },
];

export interface RedactionOptions {
  readonly emails: boolean;
}

export interface RedactionResult {
  readonly text: string;
  readonly count: number;
}

export function redact(text: string, options: RedactionOptions): RedactionResult {
  let out = text;
  let count = 0;
  for (const rule of RULES) {
    if (rule.optional === "emails" && !options.emails) continue;
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const replaced = typeof rule.replace === "string" ? rule.replace : rule.replace(match, ...(args.slice(1).filter((a) => typeof a === "string") as string[]));
      if (replaced !== match) count++;
      return replaced;
    });
  }
  return { text: out, count };
}

/** Redacts every string inside a JSON-like value; returns the copy and the total count. */
export function redactDeep<T>(value: T, options: RedactionOptions): { value: T; count: number } {
  let count = 0;
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") {
      const result = redact(item, options);
      count += result.count;
      return result.text;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(item)) out[key] = walk(child);
      return out;
    }
    return item;
  };
  return { value: walk(value) as T, count };
}

/**
 * Redaction of text before it leaves the machine, and of every error message
 * before it is stored or shown. Each rule replaces one kind of secret with a
 * placeholder; the count goes on the job record so the user can see that
 * something was withheld. Rules are anchored on a literal (a key's prefix, a
 * keyword) so a transcript is scanned fast, and near-misses (placeholders,
 * counts, paths, plain words) are left alone: a false positive costs a
 * transcript its meaning.
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

/** Values that stand for a secret without being one: templates, masks, empty words. */
const PLACEHOLDER = /^(?:[$<{[(]|\*+$|x{3,}|\.{3}|%\(|%[A-Za-z_]+%|%s$|your[-_]|\[redacted|(?:null|none|nil|undefined|true|false|required|optional|redacted|changeme|example|placeholder|secret|password|string)$)/i;

/** Words after "password is" that describe it rather than reveal it. */
const DESCRIPTIVE = new Set(
  "wrong incorrect correct right invalid valid expired required missing empty blank set unset reset changed saved stored hashed encrypted weak strong long short too not the a an in on still now also already being what same different protected managed rotated there here this that it ok okay fine good bad new old".split(" "),
);

/** Name suffixes after a secret's keyword that name something about it, not the secret itself. */
const DESCRIPTOR = /^_(?:url|uri|file|path|dir|type|name|length|len|count|limit|ttl|expiry|expires|expiration|endpoint|id|policy|min|max|min_length|max_length|version|env|field|header|hint|prompt|label|rotation|placeholder|strength|format|pattern|regex|required|enabled|mode|source|store|manager|provider|ref|arn)$/i;

/** A value that is code (a member chain or a call), as in `token = getToken()`. */
const CODE = /^[A-Za-z_$][\w$]*(?:(?:\.[\w$]+)+|\()/;

const secretLooking = (value: string) => /\d/.test(value) || /[^A-Za-z0-9]/.test(value) || (/[a-z]/.test(value) && /[A-Z]/.test(value)) || value.length >= 16;

/** `NAME=value`, `name: value`, `"name": "value"` where the name holds a secret's keyword. */
function assignment(_match: string, keyword: string, suffix: string, separator: string, value: string): string {
  const keep = `${keyword}${suffix}${separator}${value}`;
  if (suffix !== "" && !/^(?:s|S|\d+)$/.test(suffix) && (!suffix.startsWith("_") || DESCRIPTOR.test(suffix))) return keep;
  if (PLACEHOLDER.test(value) || /^\d+$/.test(value) || /^[\/~]/.test(value)) return keep;
  // `NAME=value` (configuration) and quoted values always go; `name: value` and `name = value`
  // read like prose or code as often as like configuration: only secret-looking values go.
  const tight = /^=$/.test(separator);
  if (!tight && !/["']/.test(separator) && (!secretLooking(value) || CODE.test(value))) return keep;
  return `${keyword}${suffix}${separator}[redacted]`;
}

/** "my password is hunter2", "the API key is sk-…", "token was 9f8e…". */
function spoken(_match: string, lead: string, quote: string, value: string): string {
  const keep = `${lead}${quote}${value}`;
  const bare = value.replace(/[.,;:!?)]+$/, "");
  if (DESCRIPTIVE.has(bare.toLowerCase()) || PLACEHOLDER.test(bare) || bare.length < 4) return keep;
  const strong = /pass(?:word|phrase|code)|pin/i.test(lead);
  if (!strong && !(/\d/.test(bare) && bare.length >= 8) && bare.length < 16) return keep;
  return `${lead}${quote}[redacted]${value.slice(bare.length)}`;
}

const B = "(?<![A-Za-z0-9_-])";

const RULES: readonly Rule[] = [
  { name: "private-key-block", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g, replace: "[redacted-private-key]" },
  { name: "anthropic-key", pattern: /sk-ant-[A-Za-z0-9_-]{8,}/g, replace: "[redacted-key]" },
  { name: "openai-key", pattern: new RegExp(`${B}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}`, "g"), replace: "[redacted-key]" },
  { name: "stripe-key", pattern: new RegExp(`${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|${B}whsec_[A-Za-z0-9]{24,}`, "g"), replace: "[redacted-key]" },
  { name: "github-token", pattern: new RegExp(`${B}(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,})`, "g"), replace: "[redacted-token]" },
  { name: "gitlab-token", pattern: new RegExp(`${B}gl(?:pat|dt|rt|ptt|soat|cbt)-[A-Za-z0-9_-]{20,}`, "g"), replace: "[redacted-token]" },
  { name: "npm-token", pattern: new RegExp(`${B}npm_[A-Za-z0-9]{36}`, "g"), replace: "[redacted-token]" },
  { name: "sendgrid-key", pattern: /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/g, replace: "[redacted-key]" },
  { name: "slack-token", pattern: new RegExp(`${B}xox[abposre]-[A-Za-z0-9-]{10,}`, "g"), replace: "[redacted-token]" },
  { name: "slack-webhook", pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]{20,}/g, replace: "[redacted-url]" },
  { name: "aws-key-id", pattern: new RegExp(`${B}(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![0-9A-Z])`, "g"), replace: "[redacted-key]" },
  {
    name: "aws-secret",
    pattern: /(aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key|aws_?secret)(["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    replace: (_m, name: string, separator: string) => `${name}${separator}[redacted-key]`,
  },
  { name: "google-key", pattern: new RegExp(`${B}AIza[0-9A-Za-z_-]{35}`, "g"), replace: "[redacted-key]" },
  { name: "google-oauth", pattern: new RegExp(`${B}ya29\\.[0-9A-Za-z_-]{20,}`, "g"), replace: "[redacted-token]" },
  { name: "azure-key", pattern: /((?:AccountKey|SharedAccessKey|SharedAccessSignature|AccessKey)=)([^;\s"']{20,})/g, replace: (_m, lead: string) => `${lead}[redacted-key]` },
  { name: "huggingface-token", pattern: new RegExp(`${B}hf_[A-Za-z0-9]{34,}`, "g"), replace: "[redacted-token]" },
  { name: "digitalocean-token", pattern: new RegExp(`${B}do[por]_v1_[a-f0-9]{64}`, "g"), replace: "[redacted-token]" },
  { name: "docker-token", pattern: new RegExp(`${B}dckr_pat_[A-Za-z0-9_-]{20,}`, "g"), replace: "[redacted-token]" },
  { name: "pypi-token", pattern: /pypi-AgE[A-Za-z0-9_-]{50,}/g, replace: "[redacted-token]" },
  { name: "shopify-token", pattern: new RegExp(`${B}shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}`, "g"), replace: "[redacted-token]" },
  { name: "vault-token", pattern: new RegExp(`${B}hv[sb]\\.[A-Za-z0-9_-]{24,}`, "g"), replace: "[redacted-token]" },
  { name: "linear-key", pattern: new RegExp(`${B}lin_api_[A-Za-z0-9]{40}`, "g"), replace: "[redacted-key]" },
  { name: "twilio-key", pattern: new RegExp(`${B}SK[0-9a-f]{32}(?![0-9A-Za-z])`, "g"), replace: "[redacted-key]" },
  { name: "age-key", pattern: /AGE-SECRET-KEY-1[0-9A-Z]{58}/g, replace: "[redacted-key]" },
  { name: "jwt", pattern: /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, replace: "[redacted-token]" },
  { name: "bearer", pattern: /\b(Bearer|Basic|Token|token)(\s+|[:=]\s*)([A-Za-z0-9._~+/=-]{16,})/g, replace: (_m, word: string, sep: string) => `${word}${sep}[redacted-token]` },
  {
    name: "url-query-secret",
    pattern: /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|sig|signature|access_token|refresh_token|id_token|api_key|apikey|client_secret|password|token)=)([^&\s#"']{8,})/gi,
    replace: (_m, lead: string) => `${lead}[redacted]`,
  },
  { name: "url-password", pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, replace: (_m, lead: string, _p: string, at: string) => `${lead}[redacted]${at}` },
  {
    name: "secret-assignment",
    pattern: /(password|passwd|passphrase|secret|token|api[ _-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)([A-Za-z0-9_]*)(["']?\s*[:=]\s*["']?)([^\s"',;&]{6,})/gi,
    replace: assignment as (match: string, ...groups: string[]) => string,
  },
  {
    name: "spoken-secret",
    pattern: /\b((?:password|passphrase|passcode|pin code|api key|secret key|access key|access token|auth token|token)\s+(?:is|was)\s*:?\s+)(["']?)([^\s"']{4,})/gi,
    replace: spoken as (match: string, ...groups: string[]) => string,
  },
  {
    name: "card-number",
    pattern: /\b(?:\d[ -]?){12,18}\d\b/g,
    replace: (match: string) => (luhnValid(match.replace(/[ -]/g, "")) ? "[redacted-card]" : match),
  },
  { name: "email", pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, replace: "[redacted-email]", optional: "emails" },
];

/** How many rules there are (for reports). */
export const REDACTION_RULE_COUNT = RULES.length;

export interface RedactionOptions {
  readonly emails: boolean;
  /** Exact strings always withheld (the configured API keys). */
  readonly secrets?: readonly string[];
}

export interface RedactionResult {
  readonly text: string;
  readonly count: number;
}

/** One withheld stretch of a text: where it is and what stands in its place. */
export interface SecretSpan {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/**
 * Where the secrets are: one pass per rule that finds matches without copying the
 * text. Where matches overlap, the one starting first wins (the earlier rule on a tie).
 */
export function findSecrets(text: string, options: Pick<RedactionOptions, "emails">): SecretSpan[] {
  const hits: { start: number; end: number; replacement: string; rule: number }[] = [];
  for (const [index, rule] of RULES.entries()) {
    if (rule.optional === "emails" && !options.emails) continue;
    const pattern = rule.pattern;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const whole = match[0];
      if (whole.length === 0) {
        pattern.lastIndex++;
        continue;
      }
      const replaced = typeof rule.replace === "string" ? rule.replace : rule.replace(whole, ...match.slice(1).map((group) => group ?? ""));
      if (replaced !== whole) hits.push({ start: match.index, end: match.index + whole.length, replacement: replaced, rule: index });
    }
  }
  hits.sort((a, b) => a.start - b.start || a.rule - b.rule);
  const out: SecretSpan[] = [];
  let at = 0;
  for (const hit of hits) {
    if (hit.start < at) continue;
    out.push({ start: hit.start, end: hit.end, replacement: hit.replacement });
    at = hit.end;
  }
  return out;
}

/** Redacts a text, rebuilding it once however many rules matched (a transcript of megabytes is copied once). */
export function redact(text: string, options: RedactionOptions): RedactionResult {
  let source = text;
  let count = 0;
  for (const secret of options.secrets ?? []) {
    if (secret.length < 8 || !source.includes(secret)) continue;
    const parts = source.split(secret);
    count += parts.length - 1;
    source = parts.join("[redacted-key]");
  }
  const spans = findSecrets(source, options);
  if (spans.length === 0) return { text: source, count };
  const out: string[] = [];
  let at = 0;
  for (const span of spans) {
    out.push(source.slice(at, span.start), span.replacement);
    at = span.end;
  }
  out.push(source.slice(at));
  return { text: out.join(""), count: count + spans.length };
}

/** A message about to be stored, printed or exported, with every secret (the configured keys too) withheld. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  return redact(text, { emails: false, secrets }).text;
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

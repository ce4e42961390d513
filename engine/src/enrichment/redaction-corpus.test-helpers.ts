/**
 * A redaction corpus (never imported by engine code): secrets in their real
 * formats, generated from a seeded generator so none is a live credential, and
 * near-misses that must be left alone. Shared by the redaction test and the
 * redaction benchmark.
 */

export interface Positive {
  readonly kind: string;
  readonly text: string;
  /** The part that must not survive redaction. */
  readonly secret: string;
}

function generator(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chars = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
  return { next, pick, chars };
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = ALNUM + "+/";
const URLSAFE = ALNUM + "-_";
const HEX = "0123456789abcdef";

function luhnComplete(prefix: string): string {
  for (let d = 0; d < 10; d++) {
    const digits = `${prefix}${d}`;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let v = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) {
        v *= 2;
        if (v > 9) v -= 9;
      }
      sum += v;
    }
    if (sum % 10 === 0) return digits;
  }
  return prefix;
}

const LEADS = ["Here is the config:", "I pasted this into the terminal:", "so the value is", "copy this", "from the .env file:", "the log said", "send them", "ok so", "in the screenshot", "he read out"];

export function positives(seed = 20_261_205, perKind = 10): Positive[] {
  const g = generator(seed);
  const lead = () => g.pick(LEADS);
  const kinds: Record<string, () => { text: (secret: string) => string; secret: string }> = {
    "aws-key-id": () => ({ secret: `${g.pick(["AKIA", "ASIA"])}${g.chars(UPPER + DIGITS, 16)}`, text: (s) => `${lead()} ${s} for the deploy user` }),
    "aws-secret": () => ({ secret: g.chars(B64, 40), text: (s) => `${g.pick(["aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "SecretAccessKey"])} = ${s}` }),
    "pem-block": () => {
      const type = g.pick(["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "]);
      const body = Array.from({ length: 4 }, () => g.chars(B64, 64)).join("\n");
      return { secret: body.slice(0, 64), text: () => `${lead()}\n-----BEGIN ${type}PRIVATE KEY-----\n${body}\n-----END ${type}PRIVATE KEY-----\nthanks` };
    },
    stripe: () => ({ secret: `${g.pick(["sk_live_", "rk_live_", "sk_test_"])}${g.chars(ALNUM, 24 + Math.floor(g.next() * 76))}`, text: (s) => `${lead()} STRIPE=${s}`.replace("STRIPE=", g.pick(["", "stripe key "])) }),
    gitlab: () => ({ secret: `glpat-${g.chars(URLSAFE, 20)}`, text: (s) => `${lead()} ${s}` }),
    npm: () => ({ secret: `npm_${g.chars(ALNUM, 36)}`, text: (s) => `//registry.npmjs.org/:_authToken=${s}` }),
    sendgrid: () => ({ secret: `SG.${g.chars(URLSAFE, 22)}.${g.chars(URLSAFE, 43)}`, text: (s) => `${lead()} ${s}` }),
    slack: () => ({ secret: `${g.pick(["xoxb", "xoxp", "xoxa"])}-${g.chars(DIGITS, 12)}-${g.chars(DIGITS, 13)}-${g.chars(ALNUM, 24)}`, text: (s) => `${lead()} ${s}` }),
    "slack-webhook": () => ({ secret: `T${g.chars(UPPER + DIGITS, 8)}/B${g.chars(UPPER + DIGITS, 10)}/${g.chars(ALNUM, 24)}`, text: (s) => `webhook https://hooks.slack.com/services/${s}` }),
    google: () => ({ secret: `AIza${g.chars(URLSAFE, 35)}`, text: (s) => `${lead()} key=${s}`.replace("key=", g.pick(["key=", "", "maps key "])) }),
    azure: () => ({ secret: g.chars(B64, 86) + "==", text: (s) => `DefaultEndpointsProtocol=https;AccountName=${g.chars(LOWER, 10)};AccountKey=${s};EndpointSuffix=core.windows.net` }),
    "env-password": () => ({ secret: g.chars(ALNUM + "!@#%^", 14), text: (s) => `${g.pick(["DB_PASSWORD", "PGPASSWORD", "MYSQL_ROOT_PASSWORD", "REDIS_PASSWORD", "SMTP_PASS_PASSWORD"])}=${s}` }),
    "env-secret": () => ({ secret: g.chars(ALNUM, 32), text: (s) => `${g.pick(["client_secret", "CLIENT_SECRET", "JWT_SECRET", "APP_SECRET_KEY", "SECRET"])}=${s}` }),
    "env-token": () => ({ secret: g.chars(ALNUM, 40), text: (s) => `export ${g.pick(["GITHUB_TOKEN", "ACCESS_TOKEN", "AUTH_TOKEN", "API_TOKEN", "VERCEL_TOKEN"])}=${s}` }),
    "json-secret": () => ({ secret: g.chars(ALNUM, 20), text: (s) => `{"${g.pick(["password", "apiKey", "api_key", "secret", "accessToken"])}": "${s}"}` }),
    spoken: () => ({ secret: `${g.pick(["tulip", "orange", "Falcon", "summer", "river"])}${g.chars(DIGITS, 3)}`, text: (s) => `${g.pick(["my password is", "the password is", "The passcode is", "and the passphrase is"])} ${s}, don't tell anyone` }),
    "spoken-key": () => ({ secret: `${g.chars(ALNUM, 28)}`, text: (s) => `${g.pick(["the api key is", "the access token is", "api key:"])} ${s}` }),
    "url-credentials": () => ({ secret: g.chars(ALNUM, 12), text: (s) => `${g.pick(["postgres", "mysql", "https", "redis", "amqp"])}://${g.pick(["admin", "app", "deploy"])}:${s}@${g.pick(["db.internal", "10.0.0.5", "example.com"])}:5432/main` }),
    "signed-url": () => ({ secret: g.chars(HEX, 64), text: (s) => `https://bucket.s3.amazonaws.com/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${s}` }),
    github: () => ({ secret: g.pick([`ghp_${g.chars(ALNUM, 36)}`, `gho_${g.chars(ALNUM, 36)}`, `github_pat_${g.chars(ALNUM + "_", 82)}`]), text: (s) => `${lead()} ${s}` }),
    openai: () => ({ secret: `sk-${g.pick(["proj-", "", "svcacct-"])}${g.chars(URLSAFE, 48)}`, text: (s) => `${lead()} ${s}` }),
    anthropic: () => ({ secret: `sk-ant-api03-${g.chars(URLSAFE, 93)}`, text: (s) => `${lead()} ${s}` }),
    jwt: () => ({ secret: `eyJ${g.chars(URLSAFE, 30)}.eyJ${g.chars(URLSAFE, 60)}.${g.chars(URLSAFE, 43)}`, text: (s) => `cookie session=${s}; Path=/` }),
    card: () => {
      const number = luhnComplete(`${g.pick(["4", "51", "37", "6011"])}${g.chars(DIGITS, 10)}`.padEnd(15, "0"));
      return { secret: number, text: (s) => `card ${s.replace(/(\d{4})(?=\d)/g, "$1 ")} exp 09/29`.replace(/ (\d+) exp/, " $1 exp") };
    },
    bearer: () => ({ secret: g.chars(URLSAFE + ".", 40), text: (s) => `Authorization: Bearer ${s}` }),
    "other-tokens": () =>
      g.pick([
        { secret: `hf_${g.chars(ALNUM, 34)}`, text: (s: string) => `${lead()} ${s}` },
        { secret: `dop_v1_${g.chars(HEX, 64)}`, text: (s: string) => `${lead()} ${s}` },
        { secret: `dckr_pat_${g.chars(URLSAFE, 27)}`, text: (s: string) => `${lead()} ${s}` },
        { secret: `shpat_${g.chars(HEX, 32)}`, text: (s: string) => `${lead()} ${s}` },
        { secret: `hvs.${g.chars(URLSAFE, 90)}`, text: (s: string) => `VAULT ${s}` },
        { secret: `lin_api_${g.chars(ALNUM, 40)}`, text: (s: string) => `${lead()} ${s}` },
        { secret: `AGE-SECRET-KEY-1${g.chars(UPPER + DIGITS, 58)}`, text: (s: string) => `${lead()} ${s}` },
      ]),
  };
  const out: Positive[] = [];
  for (const [kind, make] of Object.entries(kinds)) {
    for (let i = 0; i < perKind; i++) {
      const { text, secret } = make();
      out.push({ kind, text: text(secret), secret });
    }
  }
  return out;
}

/** Text that looks like a secret to a careless rule and must come back unchanged. */
export function negatives(seed = 20_261_206): string[] {
  const g = generator(seed);
  const fixed = [
    "the password is incorrect, try again",
    "the password is wrong",
    "your password is expired",
    "the password is required for this step",
    "the token is valid for an hour",
    "the token was revoked yesterday",
    "reset your password from the settings page",
    "password: ********",
    "password: required",
    "DB_PASSWORD=${DB_PASSWORD}",
    "PGPASSWORD=$PGPASS psql -h db",
    "api_key: <your-api-key>",
    "API_KEY=your-api-key-here",
    "PASSWORD_MIN_LENGTH=12",
    "PASSWORD_FILE=/run/secrets/db_password",
    "max_tokens=4096",
    "max_tokens: 150000",
    "tokens: 1500",
    "token_url=https://auth.example.com/oauth/token",
    "TOKEN_TTL=3600",
    "SECRET_NAME=prod-database",
    "secret_arn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod",
    "tokenizer: bert-base-uncased",
    "secretary: Jane Smith",
    "Secret Santa is on Friday",
    "that's top secret, ha",
    "const token = getToken();",
    "const password = form.password.value;",
    "let secret = config.secrets.primary",
    "Bearer of bad news",
    "Token ring networks were common",
    "sk-learn is a python library",
    "sk-1234",
    "pk_live_51HxYzAbCdEfGhIjKlMnOpQr is the publishable key",
    "ghp_short",
    "AKIA1234",
    "xoxb is the prefix of a bot token",
    "eyJhbGciOi is how a JWT header starts",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----",
    "https://user@example.com/repo.git",
    "http://localhost:8080/api/v1/items",
    "ssh git@github.com:owner/repo.git",
    "call +1 415 555 0132 tomorrow",
    "ISBN 978-3-16-148410-0",
    "order 1234 5678 9012 3456 shipped",
    "version v1.24.3 released on 2025-11-02",
    "the pin is loose on the hinge",
    "passwords are hard to remember",
    "we discussed the API key rotation policy",
    "the access token is stored in the keychain",
    "api key: see the vault",
    "password is managed by 1Password",
    "the secret is out",
    "token=",
    "password=",
    "credentials: none",
    "mail maria@example.com about it",
    "AccountName=storage;EndpointSuffix=core.windows.net",
    "X-Amz-Algorithm=AWS4-HMAC-SHA256",
    "npm_config_registry=https://registry.npmjs.org",
    "glpat is GitLab's prefix for personal access tokens",
    "SG.com is a domain",
    "AIza is the start of a Google key",
  ];
  const generated: string[] = [];
  for (let i = 0; i < 30; i++) generated.push(`commit ${g.chars(HEX, 40)} fixed the login bug`);
  for (let i = 0; i < 25; i++) generated.push(`sha256 ${g.chars(HEX, 64)} matches the download`);
  for (let i = 0; i < 25; i++) generated.push(`session ${g.chars(HEX, 8)}-${g.chars(HEX, 4)}-4${g.chars(HEX, 3)}-8${g.chars(HEX, 3)}-${g.chars(HEX, 12)} ended`);
  for (let i = 0; i < 25; i++) {
    const digits = `4${g.chars(DIGITS, 15)}`;
    const valid = luhnComplete(digits.slice(0, 15));
    const wrong = `${valid.slice(0, 15)}${(Number(valid[15]) + 1) % 10}`;
    generated.push(`reference ${wrong} on the invoice`);
  }
  for (let i = 0; i < 20; i++) generated.push(`${g.pick(["we spent", "the job used", "the model counted"])} ${g.chars(DIGITS, 6)} tokens`);
  for (let i = 0; i < 20; i++) generated.push(`https://example.com/search?q=${g.chars(LOWER, 8)}&page=${g.chars(DIGITS, 2)}`);
  for (let i = 0; i < 20; i++) generated.push(`the ${g.pick(["password", "passcode", "token", "api key"])} is ${g.pick(["wrong", "expired", "correct", "set", "missing", "stored", "rotated", "the same", "not set", "too short"])} ${g.pick(["again", "now", "today", "", "I think"])}`.trim());
  for (let i = 0; i < 20; i++) generated.push(`${g.pick(["max_tokens", "prompt_tokens", "completion_tokens", "token_count"])}=${g.chars(DIGITS, 4 + Math.floor(g.next() * 3))}`);
  return [...fixed, ...generated];
}

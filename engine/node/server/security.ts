import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** 32 random bytes as hex: the run's token, printed once in the address. */
export function createToken(): string {
  return randomBytes(32).toString("hex");
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses a non-loopback bind unless the caller said `--host` explicitly. */
export function checkBindHost(host: string, explicit: boolean): void {
  if (!isLoopback(host) && !explicit) {
    throw new Error(`refusing to listen on ${host} without an explicit --host`);
  }
}

/** Cookies are shared across ports on one host, so each server names its own. */
export function tokenCookieName(port: number): string {
  return `stint_token_${port}`;
}

function tokenFromCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** The token a request presents: bearer header, `X-Stint-Token`, `?token=`, or the cookie set by the first page load. */
export function presentedToken(request: IncomingMessage, url: URL, cookieName: string): { readonly token: string | undefined; readonly via: "header" | "query" | "cookie" | "none" } {
  const auth = request.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ")) return { token: auth.slice(7).trim(), via: "header" };
  const header = request.headers["x-stint-token"];
  if (typeof header === "string") return { token: header, via: "header" };
  const query = url.searchParams.get("token");
  if (query !== null) return { token: query, via: "query" };
  const cookie = tokenFromCookie(request.headers.cookie, cookieName);
  if (cookie !== undefined) return { token: cookie, via: "cookie" };
  return { token: undefined, via: "none" };
}

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(presented, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Same-origin checks: the Host header must name this server (so a rebound DNS
 * name cannot reach it), and an Origin, when sent, must be this server's.
 */
export function originProblem(request: IncomingMessage, allowedHosts: ReadonlySet<string> | "any"): string | undefined {
  const host = request.headers.host?.toLowerCase();
  // A wildcard bind (`--host 0.0.0.0`) is reached under any name; the Origin must then match the Host used.
  if (host === undefined || (allowedHosts !== "any" && !allowedHosts.has(host))) return "unexpected Host header";
  const accepted = allowedHosts === "any" ? new Set([host]) : allowedHosts;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== "null") {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return "malformed Origin";
    }
    if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || !accepted.has(parsed.host.toLowerCase())) return "requests from another origin are refused";
  } else if (origin === "null") return "requests from an opaque origin are refused";
  const site = request.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return "cross-site requests are refused";
  return undefined;
}

// The review panel's WKWebView transport names must match ReviewPanel's on both sides:
// the message handler (`window.webkit.messageHandlers.<name>`) and the receive function.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function files(dir, pattern, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, pattern, out);
    else if (pattern.test(name) && !/\.test\./.test(name)) out.push(path);
  }
  return out;
}

export function checkPanelTransport(root) {
  const swift = files(join(root, "MacApp/Sources/Stint/ReviewPanel"), /\.swift$/).map((p) => readFileSync(p, "utf8")).join("\n");
  const handler = /static let messageHandlerName\s*=\s*"(\w+)"/.exec(swift)?.[1];
  const receiver = /static let receiveFunction\s*=\s*"([\w.]+)"/.exec(swift)?.[1];
  const problems = [];
  if (!handler) problems.push("ReviewPanel declares no messageHandlerName");
  if (!receiver) problems.push("ReviewPanel declares no receiveFunction");
  const ui = files(join(root, "webview-ui/src"), /\.(ts|tsx)$/).map((p) => readFileSync(p, "utf8")).join("\n");
  const uiHandlers = [...ui.matchAll(/messageHandlers\??\.(\w+)/g)].map((m) => m[1]);
  if (uiHandlers.length === 0) return { skipped: true, reason: "webview-ui has no WKWebView transport yet (no messageHandlers.<name>)" };
  for (const name of new Set(uiHandlers)) if (name !== handler) problems.push(`webview-ui posts to messageHandlers.${name}; ReviewPanel registers ${handler}`);
  const fn = receiver?.replace(/^window\./, "");
  if (fn && !ui.includes(fn)) problems.push(`webview-ui never defines ${receiver}, which ReviewPanel calls with each envelope`);
  problems.push(...checkPanelCsp(swift, readFileSync(join(root, "webview-ui/index.html"), "utf8")));
  problems.push(...checkRelayTimeouts(readFileSync(join(root, "MacApp/Sources/StintCore/Bridge/BridgeMethod.swift"), "utf8"), ui));
  return { skipped: false, problems };
}

/**
 * The host relays the panel's requests with its own bound; it must not give up before the
 * page does (`DEFAULT_TIMEOUT_MS`, and the longest per-call `timeoutMs` for the stop bound).
 */
export function checkRelayTimeouts(bridgeMethodSwift, uiSource) {
  const seconds = (name) => Number(new RegExp(`static let ${name}: Duration = \\.seconds\\((\\d+)\\)`).exec(bridgeMethodSwift)?.[1] ?? NaN);
  const ms = (text) => Number(text.replace(/_/g, ""));
  const panel = seconds("panel");
  const panelStop = seconds("panelStop");
  const defaultMs = /DEFAULT_TIMEOUT_MS\s*=\s*([\d_]+)/.exec(uiSource)?.[1];
  const perCall = [...uiSource.matchAll(/timeoutMs:\s*([\d_]+)/g)].map((m) => ms(m[1]));
  const problems = [];
  if (Number.isNaN(panel) || Number.isNaN(panelStop)) return ["BridgeTimeouts declares no panel / panelStop bound"];
  if (defaultMs === undefined) return ["webview-ui declares no DEFAULT_TIMEOUT_MS"];
  if (panel * 1000 < ms(defaultMs)) problems.push(`the host relays panel requests for ${panel} s, but the panel waits ${ms(defaultMs) / 1000} s`);
  const longest = Math.max(0, ...perCall);
  if (panelStop * 1000 < longest) problems.push(`the host relays panel stop requests for ${panelStop} s, but the panel waits up to ${longest / 1000} s`);
  return problems;
}

/**
 * The bundle scheme's Content-Security-Policy header and the page's meta tag both apply,
 * so the stricter one wins silently: they must be the same policy.
 */
export function checkPanelCsp(swiftSource, indexHtml) {
  const header = /static let contentSecurityPolicy\s*=\s*"([^"]+)"/.exec(swiftSource)?.[1];
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(indexHtml)?.[1];
  if (header === undefined) return ["ReviewPanel declares no contentSecurityPolicy for the bundle scheme"];
  if (meta === undefined) return ["webview-ui/index.html has no Content-Security-Policy meta tag"];
  return header === meta ? [] : [`the bundle scheme's CSP differs from webview-ui/index.html's: "${header}" vs "${meta}"`];
}

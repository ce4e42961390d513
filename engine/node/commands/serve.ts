import { spawn } from "node:child_process";
import { detectLocalServers } from "../local-servers.ts";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeProvider } from "../provider-notice.ts";
import { startDevServer } from "../server/dev-server.ts";
import { CommandFailure, UsageError, type Command } from "./command.ts";

/** Where the built panel lives: next to dist/cli.js, or dist/ when run from source. */
export function findPanelDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.STINT_WEBVIEW_DIR !== undefined) return existsSync(join(env.STINT_WEBVIEW_DIR, "index.html")) ? resolve(env.STINT_WEBVIEW_DIR) : undefined;
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, "webview-ui"), join(here, "../../../dist/webview-ui"), join(process.cwd(), "dist/webview-ui")]) {
    if (existsSync(join(candidate, "index.html"))) return candidate;
  }
  return undefined;
}

function openBrowser(url: string): void {
  const program = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(program, [url], { stdio: "ignore", detached: true });
  child.on("error", () => undefined);
  child.unref();
}

export const serveCommand: Command = {
  name: "serve",
  summary: "Run the engine with the review panel on http://127.0.0.1",
  usage: "stint serve [--port P] [--host 127.0.0.1] [--open] [--demo]",
  flags: {
    port: { type: "string", description: "Port to listen on (0 takes a free one; default 4815)" },
    host: { type: "string", description: "Address to bind (default 127.0.0.1; anything else must be said explicitly)" },
    open: { type: "boolean", description: "Open the panel in the default browser" },
    demo: { type: "boolean", description: "Start on the generated demo library instead of your sessions" },
  },
  async run(context) {
    const portFlag = context.args.flags.port;
    const port = portFlag === undefined ? 4815 : Number(portFlag);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, not ${String(portFlag)}`);
    const hostFlag = context.args.flags.host;
    if (hostFlag === true || hostFlag === "") throw new UsageError("--host needs an address");
    const panelDir = findPanelDir(context.env);
    if (panelDir === undefined) throw new CommandFailure("the review panel is not built", "run `npm run build` first");
    const engine = await context.openEngine({ recorder: "simulated", background: true });
    if (context.args.flags.demo === true) await engine.handle({ v: 1, id: "demo", method: "review.useDemo", params: {} });
    let server;
    try {
      server = await startDevServer({ engine, dataDir: context.dataDir, staticDir: panelDir, port, runCommand: context.runForwarded, ...(typeof hostFlag === "string" ? { host: hostFlag, hostExplicit: true } : {}) });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "EADDRINUSE") throw new CommandFailure(`port ${port} is in use`, "pass --port 0 to take a free port");
      throw new CommandFailure(error instanceof Error ? error.message : String(error));
    }
    // Other `stint` commands find this process in owner.json (0600) and send their work here.
    context.publishOwner?.({ url: server.url, token: server.token });
    context.out.line(`Stint is running. Open ${server.openUrl}`);
    const settings = (await engine.handle({ v: 1, id: "settings", method: "settings.get", params: {} })) as { result?: { enrichment?: { provider?: "anthropic" | "openai" | "local" } } } | undefined;
    context.out.line(describeProvider(context.env, settings?.result?.enrichment?.provider).notice);
    for (const found of await detectLocalServers()) {
      context.out.notice(`Local model server: ${found.name} at ${found.url} (${found.models.slice(0, 4).join(", ") || "no models pulled"}); use it with stint enrich --provider local-server`);
    }
    context.out.line("Press Ctrl-C to stop.");
    context.out.json({ url: server.openUrl, port: server.port });
    if (context.args.flags.open === true) openBrowser(server.openUrl);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        done();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    context.out.notice("Stopping: closing the panel, then the engine…");
    await server.close();
    return 0;
  },
};

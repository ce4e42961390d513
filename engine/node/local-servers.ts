/**
 * Finding OpenAI-compatible model servers on this machine's usual loopback
 * ports — Ollama (11434), LM Studio (1234), llama.cpp's server (8080) — and
 * the models each lists. Only 127.0.0.1 is asked.
 */
export interface LocalServer {
  readonly name: string;
  readonly url: string;
  readonly models: readonly string[];
}

export const LOCAL_SERVER_PORTS: readonly { readonly name: string; readonly port: number }[] = [
  { name: "Ollama", port: 11434 },
  { name: "LM Studio", port: 1234 },
  { name: "llama.cpp server", port: 8080 },
];

/** Servers that answer `GET /v1/models` on the usual ports (or the given ones), each within `timeoutMs`. */
export async function detectLocalServers(ports = LOCAL_SERVER_PORTS, timeoutMs = 800): Promise<LocalServer[]> {
  const found = await Promise.all(
    ports.map(async ({ name, port }) => {
      const url = `http://127.0.0.1:${port}/v1`;
      try {
        const response = await fetch(`${url}/models`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) return undefined;
        const body = (await response.json()) as { data?: { id?: unknown }[] };
        if (!Array.isArray(body.data)) return undefined;
        return { name, url, models: body.data.map((m) => m.id).filter((id): id is string => typeof id === "string") };
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((s) => s !== undefined);
}

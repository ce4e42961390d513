import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";

/** The loopback server the host contract's http cases talk to: /echo, /status/:code, /slow/:ms. */
export async function createContractServer(): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = request.url ?? "/";
      const body = Buffer.concat(chunks);
      if (url.startsWith("/echo")) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ method: request.method, url, headers: request.headers, bodyLength: body.length, bodySha256: createHash("sha256").update(body).digest("hex") }));
        return;
      }
      const status = /^\/status\/(\d{3})/.exec(url);
      if (status) {
        response.writeHead(Number(status[1]), { "content-type": "application/json", "retry-after": "7" });
        response.end(JSON.stringify({ error: { message: "status requested" } }));
        return;
      }
      const slow = /^\/slow\/(\d+)/.exec(url);
      if (slow) {
        const timer = setTimeout(() => response.end("late"), Number(slow[1]));
        response.on("close", () => clearTimeout(timer));
        return;
      }
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

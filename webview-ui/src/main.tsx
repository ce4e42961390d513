import { render } from "preact";
import "./styles.css";
import { createApi } from "./bridge/api.ts";
import { createBridgeClient } from "./bridge/client.ts";
import { createHttpTransport } from "./bridge/transport-http.ts";
import { createWebKitTransport, hasWebKitBridge } from "./bridge/transport-webkit.ts";
import { createAppModel, type AppModel } from "./models/app-model.ts";
import { App } from "./views/app.tsx";

/** Picks the transport: the Mac app's WKWebView, the dev host (a token in the URL), or an engine in the page. */
async function boot(): Promise<void> {
  const root = document.getElementById("root");
  if (root === null) return;
  const params = new URLSearchParams(location.search);
  const client = createBridgeClient();
  const deliver = (message: unknown) => client.receive(message);
  let onConnection: ((state: "open" | "reconnecting" | "closed") => void) | undefined;
  const token = params.get("token");
  if (hasWebKitBridge()) client.attach(createWebKitTransport(deliver));
  else if (token !== null && params.get("transport") !== "local") {
    client.attach(createHttpTransport(deliver, { base: location.origin, token, onConnection: (state) => onConnection?.(state) }));
  } else {
    // Loaded on demand so the served panel never evaluates the engine.
    const { createLocalTransport } = await import("./bridge/transport-local.ts");
    client.attach(await createLocalTransport(deliver, { demo: params.get("demo") !== "0" }));
  }
  // `?timeline=all` renders every row: the benchmark's unvirtualized peer.
  const app: AppModel = createAppModel(createApi(client), { virtualize: params.get("timeline") !== "all" });
  onConnection = (state) => (app.connection.value = state);
  root.textContent = "";
  render(<App app={app} />, root);
  addEventListener("pagehide", () => {
    app.dispose();
    client.close();
  });
}

boot().catch((error: unknown) => {
  const root = document.getElementById("root");
  if (root !== null) root.textContent = `Stint could not start: ${error instanceof Error ? error.message : String(error)}. Reload the page to try again.`;
});

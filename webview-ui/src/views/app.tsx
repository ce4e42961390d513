import type { AppModel } from "../models/app-model.ts";
import { ProcessingScreen } from "./processing-screen.tsx";
import { RecordingControls } from "./recording-controls.tsx";
import { SessionDetailView } from "./session-detail.tsx";
import { SessionList } from "./session-list.tsx";

export function App({ app }: { readonly app: AppModel }) {
  const screen = app.screen.value;
  const connection = app.connection.value;
  return (
    <div class="app">
      <header class="topbar">
        <a class="brand" href="#/" aria-label="Stint, all sessions">
          Stint
        </a>
        <RecordingControls model={app.recording} />
      </header>
      {connection !== "open" && (
        <div class="banner" role="alert">
          {connection === "reconnecting" ? "Lost the connection to the engine; reconnecting…" : "Disconnected from the engine. Restart `stint serve` and reload this page."}
        </div>
      )}
      <main id="main">
        {screen.route.name === "list" && <SessionList model={screen.model as Extract<typeof screen, { route: { name: "list" } }>["model"]} onOpen={(row) => app.navigate({ name: "session", id: row.id })} />}
        {screen.route.name === "session" && <SessionDetailView model={screen.model as Extract<typeof screen, { route: { name: "session" } }>["model"]} client={app.api.client} onBack={() => app.navigate({ name: "list" })} onProgress={() => app.navigate({ name: "processing", id: (screen.route as { id: string }).id })} />}
        {screen.route.name === "processing" && (
          <ProcessingScreen
            model={screen.model as Extract<typeof screen, { route: { name: "processing" } }>["model"]}
            onOpen={() => app.navigate({ name: "session", id: (screen.route as { id: string }).id })}
            onBack={() => app.navigate({ name: "list" })}
          />
        )}
      </main>
    </div>
  );
}

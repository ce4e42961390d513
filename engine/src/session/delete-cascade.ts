import { EngineError } from "../bridge/index.ts";
import type { DeleteCascade } from "../storage/index.ts";
import { PersistedMachineSchema } from "./interrupted.ts";
import { KEYS, type SessionStore } from "./storage-port.ts";

/**
 * The session feature's part in deleting a session: a session still capturing
 * cannot be deleted, and the machine's saved snapshot goes when it names the
 * deleted session (its markers, health and integrity files storage removes itself).
 */
export function createSessionDeleteCascade(store: SessionStore, capturing: () => string | undefined): DeleteCascade {
  return {
    async collect(sessionId, ops) {
      if (capturing() === sessionId) throw new EngineError("session.invalid_transition", "this session is still recording; end it before deleting it", { data: { sessionId } });
      const persisted = await store.getJson(KEYS.machine, PersistedMachineSchema).catch(() => undefined);
      if (persisted?.context.sessionId === sessionId) ops.delete(KEYS.machine);
    },
  };
}

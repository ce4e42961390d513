/**
 * A transport carries bridge envelopes between the panel and the engine.
 * Replies and events both arrive through `deliver`; the client matches
 * replies to requests by id.
 */
export interface Transport {
  readonly name: "webkit" | "http" | "local";
  /** Sends one envelope (request or notification). Rejects when it could not be sent. */
  post(envelope: OutboundEnvelope): Promise<void>;
  /** URL an <img>/<audio> can load an attachment from, by SHA-256 digest. */
  blobUrl(digest: string): Promise<string | undefined>;
  close(): void;
}

export interface OutboundEnvelope {
  readonly v: 1;
  readonly id?: string;
  readonly method: string;
  readonly params?: unknown;
}

/** Where a transport hands inbound JSON (a string or an already-parsed value). */
export type Deliver = (message: unknown) => void;

/** Reports a transport-level state change (event stream up or down). */
export type ConnectionListener = (state: "open" | "reconnecting" | "closed") => void;

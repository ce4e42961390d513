import type { HostPort } from "../../host/index.ts";
import { maxEdgeFor } from "../cost/estimate.ts";
import { downscaleImage, MAX_UPLOAD_EDGE, sniffImageType } from "../downscale.ts";
import type { EnrichmentPlan } from "../plan.ts";
import type { EnrichmentProvider, ImageInput } from "../providers/port.ts";
import type { SessionSource, SessionView } from "../session-source.ts";

type Shot = SessionView["screenshots"][number];

/**
 * The screenshots of one request as they leave the machine: by their real type
 * (sniffed from the bytes, not assumed), downscaled to the token budget and to
 * the providers' size limit. A local provider gets paths only, never bytes.
 */
export async function prepareImages(host: HostPort, sessions: SessionSource, provider: EnrichmentProvider, plan: EnrichmentPlan, shots: readonly Shot[]): Promise<ImageInput[]> {
  const out: ImageInput[] = [];
  for (const shot of shots) {
    const path = sessions.pathOf(shot.attachmentId);
    if (provider.local) {
      out.push({ ref: shot.ref, t: shot.t, bytes: new Uint8Array(), mimeType: shot.mimeType, width: shot.width, height: shot.height, path });
      continue;
    }
    const maxEdge = Math.min(MAX_UPLOAD_EDGE, maxEdgeFor(shot.width, shot.height, plan.tokenBudget));
    if (host.imaging !== undefined && maxEdge < Math.max(shot.width, shot.height)) {
      const scaled = await host.imaging.downscale(path, maxEdge);
      out.push({ ref: shot.ref, t: shot.t, bytes: scaled.bytes, mimeType: scaled.mimeType, width: scaled.width, height: scaled.height, path });
      continue;
    }
    const bytes = await sessions.read(shot.attachmentId);
    const mimeType = sniffImageType(bytes) ?? shot.mimeType;
    // No native imaging: downscale in the engine so the image costs what the estimate said.
    const scaled = maxEdge >= Math.max(shot.width, shot.height) ? undefined : downscaleImage(bytes, maxEdge);
    out.push(scaled === undefined ? { ref: shot.ref, t: shot.t, bytes, mimeType, width: shot.width, height: shot.height, path } : { ref: shot.ref, t: shot.t, path, ...scaled });
  }
  return out;
}

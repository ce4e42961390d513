import type { HostPort } from "../../host/index.ts";
import { maxEdgeFor } from "../cost/estimate.ts";
import { blackOutRegions, downscaleImage, MAX_UPLOAD_EDGE, sniffImageType, type Region } from "../downscale.ts";
import type { EnrichmentPlan } from "../plan.ts";
import type { EnrichmentProvider, ImageInput } from "../providers/port.ts";
import { findSecrets } from "../redaction.ts";
import type { SessionSource, SessionView } from "../session-source.ts";

type Shot = SessionView["screenshots"][number];

/** What reading a screenshot's text decided before it may leave the machine. */
type Gate = { readonly kind: "send" } | { readonly kind: "black-out"; readonly regions: readonly Region[] } | { readonly kind: "withhold" };

/**
 * Reads the screen's text on the device and finds the lines that hold a secret (a
 * secret may span lines, as a private-key block does). A screenshot that cannot be
 * read is sent only if the user allowed unread screenshots.
 */
async function gate(host: HostPort, path: string, plan: EnrichmentPlan): Promise<Gate> {
  if (host.vision === undefined) return plan.allowUnreadScreenshots ? { kind: "send" } : { kind: "withhold" };
  let ocr;
  try {
    ocr = await host.vision.recognizeText(path);
  } catch {
    return plan.allowUnreadScreenshots ? { kind: "send" } : { kind: "withhold" };
  }
  const starts: number[] = [];
  let at = 0;
  for (const line of ocr.lines) {
    starts.push(at);
    at += line.text.length + 1;
  }
  const spans = findSecrets(ocr.lines.map((line) => line.text).join("\n"), { emails: plan.redactEmails });
  if (spans.length === 0) return { kind: "send" };
  const regions = ocr.lines.filter((line, index) => spans.some((span) => span.start < starts[index]! + line.text.length && span.end > starts[index]!)).map((line) => line.box);
  return { kind: "black-out", regions };
}

export interface PreparedImages {
  readonly images: ImageInput[];
  /** Screenshots with a secret on screen whose regions were blacked out. */
  readonly blackedOut: number;
  /** Screenshots kept on the machine (unreadable, or undecodable with a secret on them). */
  readonly withheld: number;
}

/**
 * The screenshots of one request as they leave the machine: read on the device first
 * (regions holding a secret blacked out), by their real type (sniffed from the bytes,
 * not assumed), downscaled to the token budget and to the providers' size limit. A
 * local provider gets paths only, never bytes.
 */
export async function prepareImages(host: HostPort, sessions: SessionSource, provider: EnrichmentProvider, plan: EnrichmentPlan, shots: readonly Shot[]): Promise<PreparedImages> {
  const images: ImageInput[] = [];
  let blackedOut = 0;
  let withheld = 0;
  for (const shot of shots) {
    const path = sessions.pathOf(shot.attachmentId);
    if (provider.local) {
      images.push({ ref: shot.ref, t: shot.t, bytes: new Uint8Array(), mimeType: shot.mimeType, width: shot.width, height: shot.height, path });
      continue;
    }
    const maxEdge = Math.min(MAX_UPLOAD_EDGE, maxEdgeFor(shot.width, shot.height, plan.tokenBudget));
    const decision = await gate(host, path, plan);
    if (decision.kind === "withhold") {
      withheld++;
      continue;
    }
    if (decision.kind === "black-out") {
      const cleaned = blackOutRegions(await sessions.read(shot.attachmentId), decision.regions, maxEdge);
      if (cleaned === undefined) withheld++;
      else {
        blackedOut++;
        images.push({ ref: shot.ref, t: shot.t, path, ...cleaned });
      }
      continue;
    }
    if (host.imaging !== undefined && maxEdge < Math.max(shot.width, shot.height)) {
      const scaled = await host.imaging.downscale(path, maxEdge);
      images.push({ ref: shot.ref, t: shot.t, bytes: scaled.bytes, mimeType: scaled.mimeType, width: scaled.width, height: scaled.height, path });
      continue;
    }
    const bytes = await sessions.read(shot.attachmentId);
    const mimeType = sniffImageType(bytes) ?? shot.mimeType;
    // No native imaging: downscale in the engine so the image costs what the estimate said.
    const scaled = maxEdge >= Math.max(shot.width, shot.height) ? undefined : downscaleImage(bytes, maxEdge);
    images.push(scaled === undefined ? { ref: shot.ref, t: shot.t, bytes, mimeType, width: shot.width, height: shot.height, path } : { ref: shot.ref, t: shot.t, path, ...scaled });
  }
  return { images, blackedOut, withheld };
}

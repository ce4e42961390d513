import { useEffect, useState } from "preact/hooks";
import type { BridgeClient } from "../bridge/client.ts";

// Resolved attachment URLs per client, so a row that comes back on screen shows its image at once.
const resolved = new WeakMap<BridgeClient, Map<string, string>>();
const MAX_CACHED = 4000;

function cacheFor(client: BridgeClient): Map<string, string> {
  let cache = resolved.get(client);
  if (cache === undefined) resolved.set(client, (cache = new Map()));
  return cache;
}

/**
 * An attachment image. It asks for its URL only when shown and not deferred
 * (the timeline defers while scrolling and for overscan rows), so images off
 * screen are never fetched or decoded.
 */
export function Thumb({ client, digest, alt, width, height, className, defer = false }: { readonly client: BridgeClient; readonly digest: string | undefined; readonly alt: string; readonly width: number; readonly height: number; readonly className?: string; readonly defer?: boolean }) {
  const cache = cacheFor(client);
  const cached = digest === undefined ? undefined : cache.get(digest);
  const [state, setState] = useState<{ readonly digest: string | undefined; readonly url?: string; readonly failed?: boolean }>({ digest: undefined });
  useEffect(() => {
    if (digest === undefined || defer || (state.digest === digest && state.failed === true)) return;
    // Another image may have resolved this digest since the last render: show it.
    const known = cache.get(digest);
    if (known !== undefined) {
      if (state.digest !== digest || state.url !== known) setState({ digest, url: known });
      return;
    }
    let live = true;
    client.blobUrl(digest).then(
      (url) => {
        if (url !== undefined) {
          if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
          cache.set(digest, url);
        }
        if (live) setState(url === undefined ? { digest, failed: true } : { digest, url });
      },
      () => live && setState({ digest, failed: true }),
    );
    return () => {
      live = false;
    };
  }, [client, digest, defer]);
  const url = cached ?? (state.digest === digest ? state.url : undefined);
  const failed = digest === undefined || (state.digest === digest && state.failed === true);
  const box = { width: `${width}px`, height: `${height}px` };
  if (failed) return <span class={`thumb thumb-missing ${className ?? ""}`} style={box} role="img" aria-label={`${alt} (image unavailable)`} />;
  if (url === undefined) return <span class={`thumb thumb-pending ${className ?? ""}`} style={box} aria-hidden="true" />;
  return <img class={`thumb ${className ?? ""}`} src={url} alt={alt} width={width} height={height} decoding="async" onError={() => setState({ digest, failed: true })} />;
}

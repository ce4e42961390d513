import { useEffect, useState } from "preact/hooks";
import type { BridgeClient } from "../bridge/client.ts";

/** An attachment image that asks for its URL only once rendered (rendered means on screen or in the overscan). */
export function Thumb({ client, digest, alt, width, height, className }: { readonly client: BridgeClient; readonly digest: string | undefined; readonly alt: string; readonly width: number; readonly height: number; readonly className?: string }) {
  const [url, setUrl] = useState<string | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setFailed(false);
    if (digest === undefined) return;
    client.blobUrl(digest).then(
      (resolved) => live && (resolved === undefined ? setFailed(true) : setUrl(resolved)),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [client, digest]);
  if (digest === undefined || failed) return <span class={`thumb thumb-missing ${className ?? ""}`} style={{ width: `${width}px`, height: `${height}px` }} role="img" aria-label={`${alt} (image unavailable)`} />;
  if (url === undefined) return <span class={`thumb thumb-pending ${className ?? ""}`} style={{ width: `${width}px`, height: `${height}px` }} aria-hidden="true" />;
  return <img class={`thumb ${className ?? ""}`} src={url} alt={alt} width={width} height={height} loading="lazy" decoding="async" onError={() => setFailed(true)} />;
}

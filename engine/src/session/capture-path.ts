/**
 * The capture staging area: the only folder whose files a recorder may hand
 * to the engine. A reported path is mapped to its data-relative form inside
 * `capture/<sessionId>/`, so that adoption (a rename into the blob store, or a
 * removal when the digest is already stored) can never reach anything else.
 */

/** The data-relative staging folder of one session's recorder files. */
export function captureArea(sessionId: string): string {
  return `capture/${sessionId}`;
}

const MAX_DEPTH = 4;
// Printable names only: no separators, no control characters, no NUL.
const SAFE_SEGMENT = /^[^/\\\u0000-\u001f\u007f]{1,255}$/;

/**
 * The data-relative path of `reported` inside the session's staging area, or
 * undefined when it lies elsewhere. Absolute paths from a native recorder end
 * in `…/capture/<sessionId>/<name>`; only that tail is kept, so whatever comes
 * before it is never used. `.` and `..` segments are refused anywhere.
 */
export function confineCapturePath(sessionId: string, reported: string): string | undefined {
  const parts = reported.split("/");
  if (parts.some((part) => part === "." || part === "..")) return undefined;
  let start = -1;
  if (!reported.startsWith("/")) {
    if (parts[0] === "capture" && parts[1] === sessionId) start = 0;
  } else {
    for (let index = parts.length - 3; index >= 1; index--) {
      if (parts[index] === "capture" && parts[index + 1] === sessionId) {
        start = index;
        break;
      }
    }
  }
  if (start < 0) return undefined;
  const rest = parts.slice(start + 2);
  if (rest.length === 0 || rest.length > MAX_DEPTH || !rest.every((part) => SAFE_SEGMENT.test(part))) return undefined;
  return [captureArea(sessionId), ...rest].join("/");
}

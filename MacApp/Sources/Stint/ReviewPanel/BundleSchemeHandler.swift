import Foundation
import UniformTypeIdentifiers
import WebKit

/// Serves `dist/webview-ui` from the app bundle as `stint-app://panel/…`: a real origin (for
/// the CSP and the origin check) instead of `file://`, and nothing outside the folder.
final class BundleSchemeHandler: NSObject, WKURLSchemeHandler {
  static let scheme = "stint-app"
  static let host = "panel"

  private let root: URL?

  init(root: URL?) { self.root = root?.standardizedFileURL }

  func webView(_ webView: WKWebView, start task: any WKURLSchemeTask) {
    guard let url = task.request.url, url.host == Self.host, let root else {
      return fail(task, status: 404)
    }
    let relative = url.path.isEmpty || url.path == "/" ? "index.html" : String(url.path.dropFirst())
    let file = root.appendingPathComponent(relative).standardizedFileURL
    // Refuse anything that resolves outside the bundle folder (`..`, symlinks).
    guard file.path.hasPrefix(root.path + "/"), let data = try? Data(contentsOf: file) else {
      return fail(task, status: 404)
    }
    let type = UTType(filenameExtension: file.pathExtension)?.preferredMIMEType ?? "application/octet-stream"
    let headers = [
      "Content-Type": type,
      "Content-Length": String(data.count),
      "Cache-Control": "no-cache",
      // The same policy as webview-ui/index.html's meta tag (both apply, so they must agree):
      // own scripts only; images, media and audio segment fetches from the blob scheme;
      // `blob:` for the player's buffers and the export download.
      "Content-Security-Policy": Self.contentSecurityPolicy,
    ]
    let response = HTTPURLResponse(url: url, statusCode: 200, httpVersion: "HTTP/1.1", headerFields: headers)!
    task.didReceive(response)
    task.didReceive(data)
    task.didFinish()
  }

  /// Checked against webview-ui/index.html by `Scripts/swift-check/panel.mjs`.
  static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: stint-blob:; media-src 'self' blob: stint-blob:; connect-src 'self' blob: stint-blob:; font-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"

  func webView(_ webView: WKWebView, stop task: any WKURLSchemeTask) {}

  private func fail(_ task: any WKURLSchemeTask, status: Int) {
    task.didFailWithError(URLError(.fileDoesNotExist))
  }
}

/// Serves attachments as `stint-blob://blobs/{sha256}` from the data folder's
/// content-addressed store, with Range support so the player can seek in long audio.
///
/// Reads run off the main thread (a long WAV is tens of megabytes); the task is answered
/// back on the main actor, where WebKit calls the handler, and only if WebKit has not
/// stopped it meanwhile (answering a stopped task raises an exception).
final class BlobSchemeHandler: NSObject, WKURLSchemeHandler {
  static let scheme = "stint-blob"
  /// The panel's origin: its `fetch` of an audio segment is a cross-origin request, and
  /// WebKit refuses the response without this header.
  nonisolated static let allowedOrigin = "stint-app://panel"

  private let blobs: URL
  private var running: [ObjectIdentifier: any WKURLSchemeTask] = [:]

  init(dataDirectory: URL) {
    blobs = dataDirectory.appendingPathComponent("attachments/blobs", isDirectory: true)
  }

  private struct Read: Sendable {
    var data: Data
    var status: Int
    var headers: [String: String]
  }

  func webView(_ webView: WKWebView, start task: any WKURLSchemeTask) {
    guard let url = task.request.url, url.host == "blobs" else { return task.didFailWithError(URLError(.badURL)) }
    let digest = url.lastPathComponent
    // Only a lower-case SHA-256 becomes a path: no traversal through the URL.
    guard digest.count == 64, digest.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
      return task.didFailWithError(URLError(.badURL))
    }
    let file = blobs.appendingPathComponent("\(digest).dat")
    let range = task.request.value(forHTTPHeaderField: "Range")
    let id = ObjectIdentifier(task)
    running[id] = task
    Task.detached(priority: .userInitiated) { [weak self] in
      let result = Self.read(file, range: range)
      await self?.answer(id, url: url, with: result)
    }
  }

  func webView(_ webView: WKWebView, stop task: any WKURLSchemeTask) {
    running[ObjectIdentifier(task)] = nil
  }

  private func answer(_ id: ObjectIdentifier, url: URL, with result: Result<Read, URLError>) {
    guard let task = running.removeValue(forKey: id) else { return }
    switch result {
    case .failure(let error):
      task.didFailWithError(error)
    case .success(let read):
      guard let response = HTTPURLResponse(url: url, statusCode: read.status, httpVersion: "HTTP/1.1", headerFields: read.headers)
      else { return task.didFailWithError(URLError(.cannotParseResponse)) }
      task.didReceive(response)
      task.didReceive(read.data)
      task.didFinish()
    }
  }

  private nonisolated static func read(_ file: URL, range: String?) -> Result<Read, URLError> {
    guard let handle = try? FileHandle(forReadingFrom: file), let size = try? handle.seekToEnd() else {
      return .failure(URLError(.fileDoesNotExist))
    }
    defer { try? handle.close() }
    var start: UInt64 = 0
    var end: UInt64 = size == 0 ? 0 : size - 1
    var status = 200
    if let range, let parsed = parseRange(range, size: size) {
      (start, end, status) = (parsed.0, parsed.1, 206)
    }
    do {
      try handle.seek(toOffset: start)
      let data = size == 0 ? Data() : (try handle.read(upToCount: Int(end - start + 1)) ?? Data())
      var headers = [
        "Content-Length": String(data.count), "Accept-Ranges": "bytes", "Content-Type": sniff(data),
        "Access-Control-Allow-Origin": allowedOrigin,
        // The player's Range requests are not CORS-safelisted headers past the first byte range.
        "Access-Control-Expose-Headers": "Content-Range, Content-Length, Accept-Ranges",
      ]
      if status == 206 { headers["Content-Range"] = "bytes \(start)-\(end)/\(size)" }
      return .success(Read(data: data, status: status, headers: headers))
    } catch {
      return .failure(URLError(.cannotOpenFile))
    }
  }

  nonisolated static func parseRange(_ header: String, size: UInt64) -> (UInt64, UInt64)? {
    guard header.hasPrefix("bytes="), size > 0 else { return nil }
    let parts = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return nil }
    let start = UInt64(parts[0]) ?? 0
    let end = min(UInt64(parts[1]) ?? size - 1, size - 1)
    return start <= end ? (start, end) : nil
  }

  /// Blobs have no extension; the first bytes tell the type the player needs.
  nonisolated static func sniff(_ data: Data) -> String {
    let bytes = [UInt8](data.prefix(12))
    if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
    if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
    if bytes.starts(with: Array("RIFF".utf8)) { return "audio/wav" }
    if bytes.count >= 8, Array(bytes[4..<8]) == Array("ftyp".utf8) { return "video/mp4" }
    return "application/octet-stream"
  }
}

import Foundation

/// `host.http`: URLSession shaped so the engine can build a `fetch` for the AI SDKs.
/// In-flight tasks are kept by the engine's request id so `abort(id)` can cancel them.
final class HostHTTP: @unchecked Sendable {
  private let session: URLSession
  private let lock = NSLock()
  private var inflight: [String: URLSessionTask] = [:]
  /// Ids aborted on purpose: in flight, or not started yet (an abort can overtake its request).
  private var aborted: Set<String> = []
  private var timedOut: Set<String> = []

  private enum Ending { case completed, aborted, timedOut }

  init() {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpCookieStorage = nil
    configuration.urlCache = nil
    configuration.waitsForConnectivity = false
    // The queue owns retries and timeouts per request; no session-wide retry or cache.
    configuration.timeoutIntervalForResource = 15 * 60
    session = URLSession(configuration: configuration)
  }

  struct Response: Sendable {
    var status: Int
    var statusText: String
    var headers: [String: String]
    var body: Data
  }

  func request(id: String, url: String, method: String, headers: [String: String], body: Data?, timeoutMs: Double?) async throws -> Response {
    guard let target = URL(string: url), let scheme = target.scheme, ["http", "https"].contains(scheme) else {
      throw HostError(code: "network", message: "invalid URL")
    }
    var request = URLRequest(url: target)
    request.httpMethod = method
    request.httpBody = body
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    // `timeoutInterval` is URLSession's idle timeout (no bytes for that long); the total
    // bound the engine asks for is enforced below by cancelling the task.
    if let timeoutMs, timeoutMs > 0 { request.timeoutInterval = timeoutMs / 1000 }

    return try await withCheckedThrowingContinuation { continuation in
      let task = session.dataTask(with: request) { [weak self] data, response, error in
        let ending = self?.finish(id) ?? .completed
        if ending == .timedOut {
          continuation.resume(throwing: HostError(code: "timeout", message: "request timed out"))
          return
        }
        if let error = error as? URLError {
          let code = ending == .aborted || error.code == .cancelled ? "aborted" : error.code == .timedOut ? "timeout" : "network"
          // Never echo the URL: query strings can carry tokens.
          continuation.resume(throwing: HostError(code: code, message: "request failed (\(error.code.rawValue))"))
          return
        }
        if let error {
          continuation.resume(throwing: HostError(code: "network", message: error.localizedDescription))
          return
        }
        guard let http = response as? HTTPURLResponse else {
          continuation.resume(throwing: HostError(code: "network", message: "not an HTTP response"))
          return
        }
        var names: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
          if let key = key as? String { names[key.lowercased()] = "\(value)" }
        }
        continuation.resume(
          returning: Response(
            status: http.statusCode, statusText: HTTPURLResponse.localizedString(forStatusCode: http.statusCode),
            headers: names, body: data ?? Data()))
      }
      let abortedEarly = lock.withLock { () -> Bool in
        if aborted.remove(id) != nil { return true }
        inflight[id] = task
        return false
      }
      if abortedEarly {
        continuation.resume(throwing: HostError(code: "aborted", message: "request aborted before it started"))
        return
      }
      task.resume()
      if let timeoutMs, timeoutMs > 0 {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeoutMs.rounded(.up)))) { [weak self] in
          self?.expire(id)
        }
      }
    }
  }

  /// Aborts a request, also one whose task has not been created yet.
  func abort(_ id: String) {
    let task = lock.withLock { () -> URLSessionTask? in
      aborted.insert(id)
      // An id never started stays here until its request arrives; cap the set so ids that
      // never do cannot grow it without bound.
      if aborted.count > 1_000, inflight[id] == nil { aborted = [id] }
      return inflight[id]
    }
    task?.cancel()
  }

  /// The total timeout passed: cancel, and report it as a timeout rather than an abort.
  private func expire(_ id: String) {
    let task = lock.withLock { () -> URLSessionTask? in
      guard let task = inflight[id] else { return nil }
      timedOut.insert(id)
      return task
    }
    task?.cancel()
  }

  func cancelAll() {
    let tasks = lock.withLock { () -> [URLSessionTask] in
      aborted.formUnion(inflight.keys)
      return Array(inflight.values)
    }
    tasks.forEach { $0.cancel() }
  }

  /// Removes the bookkeeping; says whether the request was aborted or timed out on purpose.
  private func finish(_ id: String) -> Ending {
    lock.withLock {
      inflight[id] = nil
      let wasAborted = aborted.remove(id) != nil
      let expired = timedOut.remove(id) != nil
      return wasAborted ? .aborted : expired ? .timedOut : .completed
    }
  }
}

extension EngineHost {
  func installHTTP(on root: HostObjectBuilder) {
    let client = self.http
    let http = root.capability("http")
    http.async("request") { arguments in
      let request = arguments[argument: 0]
      var headers: [String: String] = [:]
      if case .object(let members) = request["headers"] {
        for (name, value) in members { if let value = value.string { headers[name] = value } }
      }
      let response = try await client.request(
        id: try request["id"].requireString("request.id"),
        url: try request["url"].requireString("request.url"),
        method: request["method"].string ?? "GET",
        headers: headers,
        body: request["body"].bytes,
        timeoutMs: request["timeoutMs"].number)
      return .object([
        "status": .number(Double(response.status)),
        "statusText": .string(response.statusText),
        "headers": .object(response.headers.mapValues(HostValue.string)),
        "body": .bytes(response.body),
      ])
    }
    http.sync("abort") { arguments in
      if let id = arguments[argument: 0]?.toString() { client.abort(id) }
      return .undefined
    }
  }
}

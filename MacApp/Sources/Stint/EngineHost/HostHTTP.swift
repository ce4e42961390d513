import Foundation

/// `host.http`: URLSession shaped so the engine can build a `fetch` for the AI SDKs.
/// In-flight tasks are kept by the engine's request id so `abort(id)` can cancel them.
final class HostHTTP: @unchecked Sendable {
  private let session: URLSession
  private let lock = NSLock()
  private var inflight: [String: URLSessionTask] = [:]
  private var aborted: Set<String> = []

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
    if let timeoutMs, timeoutMs > 0 { request.timeoutInterval = timeoutMs / 1000 }

    return try await withCheckedThrowingContinuation { continuation in
      let task = session.dataTask(with: request) { [weak self] data, response, error in
        let wasAborted = self?.finish(id) ?? false
        if let error = error as? URLError {
          let code = wasAborted || error.code == .cancelled ? "aborted" : error.code == .timedOut ? "timeout" : "network"
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
      lock.withLock { inflight[id] = task }
      task.resume()
    }
  }

  func abort(_ id: String) {
    let task = lock.withLock { () -> URLSessionTask? in
      guard let task = inflight[id] else { return nil }
      aborted.insert(id)
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

  /// Removes the bookkeeping; returns whether the request was aborted on purpose.
  private func finish(_ id: String) -> Bool {
    lock.withLock {
      inflight[id] = nil
      return aborted.remove(id) != nil
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

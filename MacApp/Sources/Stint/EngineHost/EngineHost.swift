import Foundation
import JavaScriptCore
import OSLog
import StintCore

/// The one owner of the engine's `JSContext`.
///
/// Every touch of the context, its values and the engine object happens on `queue`, a serial
/// queue; nothing else holds a `JSValue`. Native work (files, network, capture) runs off the
/// queue on Sendable snapshots (`HostValue`) and comes back to it to resolve its promise.
/// After every call into JavaScript the context's exception is read and cleared.
final class EngineHost: @unchecked Sendable {
  struct Dependencies: Sendable {
    var dataDirectory: URL
    var bundle: BundleResources
    var secrets: SecretStore
    var recorder: CaptureRecorder?
    var providerBaseURLs: [String: String] = [:]
  }

  /// Where the host finds engine.js (the app bundle in production).
  struct BundleResources: Sendable {
    var engineScript: URL?
    var version: String

    static var main: BundleResources {
      BundleResources(
        engineScript: Bundle.main.url(forResource: "engine", withExtension: "js"),
        version: Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "0")
    }
  }

  let queue = DispatchQueue(label: "app.stint.engine", qos: .userInitiated)
  let dependencies: Dependencies
  let logger = Logger(subsystem: "app.stint", category: "engine")
  let files: HostFileSystem
  let http = HostHTTP()
  /// The data folder's one-writer lock, taken before the engine starts and held until `stop()`.
  let folderLock: DataFolderLock

  /// Engine events (`session.state`, `capture.health`, …) as `host.emit` delivers them.
  let events: AsyncStream<BridgeEvent>
  private let eventSink: AsyncStream<BridgeEvent>.Continuation

  // Queue-confined state.
  private var context: JSContext?
  private var engine: JSValue?
  private var pending: [Int: (resolve: JSValue, reject: JSValue)] = [:]
  private var nextPendingToken = 0
  private var nextRequestID: Int64 = 1
  private(set) var jitLikelyEnabled = true
  lazy var timers = HostTimers(queue: queue) { [weak self] callback in
    self?.invoke(callback, label: "timer callback")
  }

  init(dependencies: Dependencies) {
    self.dependencies = dependencies
    self.files = HostFileSystem(root: dependencies.dataDirectory)
    self.folderLock = DataFolderLock(directory: dependencies.dataDirectory)
    let (stream, sink) = AsyncStream.makeStream(of: BridgeEvent.self, bufferingPolicy: .bufferingNewest(512))
    events = stream
    eventSink = sink
  }

  // MARK: Lifecycle

  /// Creates the context, installs the host port, loads engine.js and awaits `StintEngine.start(host)`.
  /// A failed or timed-out start releases the context, so `start` can simply be called again.
  /// First the app claims the data folder: while `stint serve` or another `stint` command owns
  /// it, the engine does not start and the error names the owner (Retry claims it again).
  func start(timeout: Duration = BridgeTimeouts.engineStart) async throws -> String {
    if case .ownedElsewhere(let holder) = try folderLock.claimFolder() {
      throw EngineHostError.folderOwned(OwnerRecord.ownedElsewhereMessage(holder))
    }
    let script = try loadScript()
    do {
      return try await startEngine(script: script, timeout: timeout)
    } catch {
      queue.sync { releaseContext() }
      throw error
    }
  }

  private func startEngine(script: String, timeout: Duration) async throws -> String {
    let started: JSONValue = try await onQueueAwaitingPromise(label: "StintEngine.start", timeout: timeout) {
      [self] context in
      let engine = try self.checked(context, "engine.js") {
        context.evaluateScript(script, withSourceURL: self.dependencies.bundle.engineScript)
        return context.objectForKeyedSubscript("StintEngine")
      }
      guard let engine, !engine.isUndefined else { throw EngineHostError.loadFailed("engine.js installed no StintEngine") }
      self.engine = engine
      let host = self.makeHostObject(in: context)
      return try self.checked(context, "StintEngine.start") { engine.invokeMethod("start", withArguments: [host]) }
    }
    return started["version"]?.stringValue ?? "unknown"
  }

  /// `StintEngine.stop()`, bounded by the stop timeout; the context is released afterwards.
  func stop() async {
    do {
      _ = try await onQueueAwaitingPromise(label: "StintEngine.stop", timeout: BridgeTimeouts.stop) { [self] context in
        guard let engine = self.engine else { return JSValue(undefinedIn: context) }
        return try self.checked(context, "StintEngine.stop") { engine.invokeMethod("stop", withArguments: []) }
      }
    } catch {
      logger.error("engine stop failed: \(error.localizedDescription, privacy: .public)")
    }
    queue.sync { releaseContext() }
    eventSink.finish()
    // The engine has flushed and stopped: the folder is free for `stint` again.
    folderLock.releaseFolder()
  }

  private func releaseContext() {
    dispatchPrecondition(condition: .onQueue(queue))
    timers.cancelAll()
    http.cancelAll()
    // Unsettled promises die with the context; dropping their functions releases it.
    pending.removeAll()
    engine = nil
    context = nil
  }

  private func loadScript() throws -> String {
    guard let url = dependencies.bundle.engineScript else { throw EngineHostError.bundleMissing }
    do {
      return try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw EngineHostError.loadFailed(error.localizedDescription)
    }
  }

  private func makeContext() -> JSContext {
    dispatchPrecondition(condition: .onQueue(queue))
    let context = JSContext()!
    context.name = "Stint engine"
    #if DEBUG
      if #available(macOS 13.3, *) { context.isInspectable = true }
    #endif
    // Keep the default behaviour (store the exception) explicit: `checked` reads and clears it.
    context.exceptionHandler = { context, exception in context?.exception = exception }
    installConsole(in: context)
    checkJIT(in: context)
    self.context = context
    return context
  }

  /// A bare JSContext has no `console`; xstate touches it at load. Lines go to the unified log.
  private func installConsole(in context: JSContext) {
    let console = JSValue(newObjectIn: context)!
    for level in ["log", "info", "warn", "error", "debug"] {
      let write: @convention(block) () -> Void = { [weak self] in
        let args = (JSContext.currentArguments() as? [JSValue] ?? []).map { $0.toString() ?? "" }
        self?.logger.log(level: level == "error" ? .error : .debug, "console.\(level, privacy: .public): \(args.joined(separator: " "), privacy: .private)")
      }
      console.setValue(JSValue(object: write, in: context), forProperty: level)
    }
    context.setObject(console, forKeyedSubscript: "console" as NSString)
  }

  /// Hardened-runtime apps lose the JIT without `com.apple.security.cs.allow-jit`, and the
  /// engine's pure-JS paths get ~100× slower. A tight integer hash loop tells the tiers apart:
  /// about 1 ms with the JIT, tens of ms in the interpreter.
  private func checkJIT(in context: JSContext) {
    let probe = """
      (function () { let h = 0x811c9dc5 | 0; for (let i = 0; i < 1000000; i++) { h ^= i & 255; h = Math.imul(h, 16777619); } return h; })()
      """
    let start = ContinuousClock.now
    _ = context.evaluateScript(probe)
    context.exception = nil
    let elapsed = ContinuousClock.now - start
    jitLikelyEnabled = elapsed < .milliseconds(25)
    if jitLikelyEnabled {
      logger.info("JavaScriptCore JIT check: \(elapsed.description, privacy: .public)")
    } else {
      logger.error(
        "JavaScriptCore JIT appears disabled (hash probe took \(elapsed.description, privacy: .public)); check the com.apple.security.cs.allow-jit entitlement"
      )
    }
  }

  // MARK: Calls into the engine

  /// Sends a request and returns its result; the engine's error is thrown as `EngineHostError.engine`.
  func call(_ method: BridgeMethod, _ params: JSONValue = [:]) async throws -> JSONValue {
    let id = queue.sync { () -> Int64 in
      defer { nextRequestID += 1 }
      return nextRequestID
    }
    let json = try BridgeCodec.encode(BridgeMessage(id: .int(id), method: method.rawValue, params: params))
    guard let replyJSON = try await handle(json: json, method: method.rawValue, timeout: method.timeout, caller: .command) else {
      throw EngineHostError.invalidReply("no reply to \(method.rawValue)")
    }
    let reply: BridgeReply
    do { reply = try BridgeCodec.decodeReply(replyJSON) } catch { throw EngineHostError.invalidReply("\(error)") }
    switch reply.outcome {
    case .result(let value): return value
    case .error(let error): throw EngineHostError.engine(code: error.code, message: error.message, retryable: error.retryable)
    }
  }

  /// Sends a recorder notification; a rejected one is logged (nobody waits for it).
  func notify(_ notification: RecordingNotification) async {
    do {
      let json = try BridgeCodec.encode(try notification.message())
      if let reply = try await handle(json: json, method: notification.method.rawValue, timeout: BridgeTimeouts.standard, caller: .recorder),
        case .error(let error) = try BridgeCodec.decodeReply(reply).outcome
      {
        logger.error("\(notification.method.rawValue, privacy: .public) rejected: \(error.code, privacy: .public) \(error.message, privacy: .public)")
      }
    } catch {
      logger.error("\(notification.method.rawValue, privacy: .public) failed: \(error.localizedDescription, privacy: .public)")
    }
  }

  /// Relays an envelope from the review panel verbatim; returns the reply JSON, or nil for a notification.
  func relay(json: String) async throws -> String? {
    let message = try BridgeCodec.decodeMessage(json)
    return try await handle(json: json, method: message.method, timeout: BridgeTimeouts.relayTimeout(forMethod: message.method), caller: .panel)
  }

  /// Who sends a message (engine/src/bridge/router.ts `Caller`): each reaches only its own
  /// methods, so a page in the panel cannot send the recorder's file reports.
  enum Caller: String, Sendable {
    case panel, recorder, command
  }

  /// `StintEngine.handle(json, caller)` → the reply serialized with `JSON.stringify`, within `timeout`.
  private func handle(json: String, method: String, timeout: Duration, caller: Caller) async throws -> String? {
    let reply: JSONValue = try await onQueueAwaitingPromise(label: method, timeout: timeout) { [self] context in
      guard let engine = self.engine else { throw EngineHostError.notStarted }
      return try self.checked(context, method) { engine.invokeMethod("handle", withArguments: [json, caller.rawValue]) }
    }
    if reply == .null { return nil }
    return try BridgeCodec.encode(try reply.decode(BridgeReply.self))
  }

  /// Runs `body` on the queue, awaits the promise it returns and hands back its JSON value.
  /// The timeout rejects with a typed error; a late settlement is then ignored.
  private func onQueueAwaitingPromise(
    label: String, timeout: Duration, _ body: @escaping @Sendable (JSContext) throws -> JSValue?
  ) async throws -> JSONValue {
    try await withCheckedThrowingContinuation { continuation in
      let once = ResumeOnce(continuation)
      queue.async { [self] in
        let context = self.context ?? self.makeContext()
        // The callbacks reach the context through the value they receive, never by
        // capture: a block holding its context would keep it alive while the promise is
        // pending (a leak across `stop`).
        let fulfilled: @convention(block) (JSValue?) -> Void = { [weak self] value in
          guard let self, let value, let context = value.context else { return once.resume(.success(.null)) }
          once.resume(Result { try self.jsonValue(of: value, in: context) })
        }
        let rejected: @convention(block) (JSValue?) -> Void = { [weak self] error in
          once.resume(.failure(EngineHostError.javaScript(self?.describe(error) ?? "rejected")))
        }
        do {
          let promise = try body(context)
          guard let promise, !promise.isUndefined else { return once.resume(.success(.null)) }
          let resolved = context.objectForKeyedSubscript("Promise")?.invokeMethod("resolve", withArguments: [promise])
          _ = try self.checked(context, "\(label) then") {
            resolved?.invokeMethod(
              "then", withArguments: [JSValue(object: fulfilled, in: context)!, JSValue(object: rejected, in: context)!])
          }
        } catch {
          once.resume(.failure(error))
        }
      }
      queue.asyncAfter(deadline: .now() + timeout.dispatchInterval) {
        once.resume(.failure(EngineHostError.timeout(method: label, after: timeout)))
      }
    }
  }

  private func jsonValue(of value: JSValue, in context: JSContext) throws -> JSONValue {
    if value.isUndefined || value.isNull { return .null }
    let text = try checked(context, "JSON.stringify") {
      context.objectForKeyedSubscript("JSON")?.invokeMethod("stringify", withArguments: [value])
    }
    guard let string = text?.toString(), let data = string.data(using: .utf8) else { return .null }
    return try JSONDecoder().decode(JSONValue.self, from: data)
  }

  // MARK: Exceptions, promises, callbacks (queue only)

  /// Runs one call into JavaScript, then reads and clears the context's exception.
  @discardableResult
  func checked<T>(_ context: JSContext, _ label: String, _ body: () throws -> T) throws -> T {
    dispatchPrecondition(condition: .onQueue(queue))
    let result = try body()
    if let exception = context.exception {
      context.exception = nil
      let detail = describe(exception)
      logger.error("JavaScript exception in \(label, privacy: .public): \(detail, privacy: .public)")
      throw EngineHostError.javaScript("\(label): \(detail)")
    }
    return result
  }

  func describe(_ value: JSValue?) -> String {
    guard let value else { return "undefined" }
    let message = value.forProperty("message")?.toString()
    let stack = value.forProperty("stack")?.toString()
    if let message, message != "undefined" {
      return stack.map { $0 == "undefined" ? message : "\(message)\n\($0)" } ?? message
    }
    return value.toString() ?? "unknown"
  }

  /// Calls a JS function the host holds (a timer callback), checking the exception after.
  func invoke(_ function: JSValue, label: String) {
    guard let context else { return }
    do {
      try checked(context, label) { _ = function.call(withArguments: []) }
    } catch {
      // Already logged; a throwing callback must not take the host down.
    }
  }

  /// A promise for native async work. Its resolve/reject functions are held in `pending`
  /// (not reachable from JS, so no cycle) until the work settles, then dropped: no leak,
  /// and no settlement after `stop` reaches a released context.
  func makePromise(in context: JSContext, label: String, work: @escaping @Sendable () async throws -> HostValue) -> JSValue {
    dispatchPrecondition(condition: .onQueue(queue))
    var resolve: JSValue?
    var reject: JSValue?
    // The executor runs synchronously, so both functions are set when the initializer returns.
    let created = JSValue(
      newPromiseIn: context,
      fromExecutor: { resolveFunction, rejectFunction in
        resolve = resolveFunction
        reject = rejectFunction
      })
    guard let promise = created, let resolve, let reject else {
      return HostError(code: "EIO", message: "\(label): could not create a promise").jsError(in: context)
    }
    let token = nextPendingToken
    nextPendingToken += 1
    pending[token] = (resolve, reject)
    Task.detached { [weak self] in
      let result: Result<HostValue, HostError>
      do {
        result = .success(try await work())
      } catch let error as HostError {
        result = .failure(error)
      } catch is CancellationError {
        result = .failure(HostError(code: "aborted", message: "\(label) cancelled"))
      } catch {
        result = .failure(HostError(code: "EIO", message: "\(label): \(error.localizedDescription)"))
      }
      // A strong, immutable reference for the hop back: the host may be gone by now.
      guard let host = self else { return }
      host.queue.async { host.settle(token, result, label: label) }
    }
    return promise
  }

  private func settle(_ token: Int, _ result: Result<HostValue, HostError>, label: String) {
    guard let context, let entry = pending.removeValue(forKey: token) else { return }
    do {
      try checked(context, "settle \(label)") {
        switch result {
        case .success(let value): _ = entry.resolve.call(withArguments: [value.jsValue(in: context)])
        case .failure(let error): _ = entry.reject.call(withArguments: [error.jsError(in: context)])
        }
      }
    } catch {
      // Logged by `checked`.
    }
  }

  /// Delivers `host.emit` events to the shell.
  func deliver(_ event: HostValue) {
    do {
      let json = try event.json()
      guard let method = json["method"]?.stringValue else { return }
      eventSink.yield(BridgeEvent(method: method, params: json["params"] ?? .null))
    } catch {
      logger.error("undeliverable engine event: \(error.localizedDescription, privacy: .public)")
    }
  }

  var currentContext: JSContext? {
    dispatchPrecondition(condition: .onQueue(queue))
    return context
  }
}

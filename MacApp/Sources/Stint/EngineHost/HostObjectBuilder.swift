import Foundation
import JavaScriptCore

/// Builds the host object handed to `StintEngine.start(host)`: named capabilities holding
/// native functions. Used only on the engine queue.
///
/// `Scripts/swift-check` reads the `capability("…")`, `sync("…")`, `async("…")` and
/// `value("…")` calls to prove every name of host-port.ts is installed, so install through
/// these methods only.
final class HostObjectBuilder {
  let object: JSValue
  private let context: JSContext
  private unowned let host: EngineHost

  init(object: JSValue, context: JSContext, host: EngineHost) {
    self.object = object
    self.context = context
    self.host = host
  }

  /// A nested object (`host.files`, `host.crypto`, …).
  func capability(_ name: String) -> HostObjectBuilder {
    let child = JSValue(newObjectIn: context)!
    object.setValue(child, forProperty: name)
    return HostObjectBuilder(object: child, context: context, host: host)
  }

  /// A plain data property (`host.info`).
  func value(_ name: String, _ value: HostValue) {
    object.setValue(value.jsValue(in: context), forProperty: name)
  }

  /// A synchronous function (clock, ids, log). It runs on the engine queue and receives the
  /// raw arguments, since some take callbacks; a thrown `HostError` becomes a JS exception.
  func sync(_ name: String, _ body: @escaping (_ arguments: [JSValue]) throws -> HostValue) {
    let function: @convention(block) () -> JSValue? = { [weak host = self.host] in
      guard let context = JSContext.current() else { return nil }
      let arguments = JSContext.currentArguments() as? [JSValue] ?? []
      guard host != nil else { return JSValue(undefinedIn: context) }
      do {
        return try body(arguments).jsValue(in: context)
      } catch {
        let hostError = error as? HostError ?? HostError(code: "EIO", message: "\(name): \(error)")
        context.exception = hostError.jsError(in: context)
        return JSValue(undefinedIn: context)
      }
    }
    object.setValue(JSValue(object: function, in: context), forProperty: name)
  }

  /// An async function: arguments are snapshotted on the queue, `body` runs off it, and the
  /// returned promise is settled back on the queue.
  func async(_ name: String, _ body: @escaping @Sendable (_ arguments: [HostValue]) async throws -> HostValue) {
    let label = name
    let function: @convention(block) () -> JSValue? = { [weak host = self.host] in
      guard let context = JSContext.current() else { return nil }
      guard let host else { return JSValue(undefinedIn: context) }
      let arguments = (JSContext.currentArguments() as? [JSValue] ?? []).map(HostValue.init)
      return host.makePromise(in: context, label: label) { try await body(arguments) }
    }
    object.setValue(JSValue(object: function, in: context), forProperty: name)
  }
}

extension Array where Element == HostValue {
  /// The argument at `index`, `undefined` when absent.
  subscript(argument index: Int) -> HostValue { index < count ? self[index] : .undefined }
}

extension Array where Element == JSValue {
  subscript(argument index: Int) -> JSValue? { index < count ? self[index] : nil }
}

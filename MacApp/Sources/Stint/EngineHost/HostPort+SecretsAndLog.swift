import Foundation
import OSLog
import StintCore

extension EngineHost {
  /// The names host-port.ts allows (`SecretName`); anything else is refused, so the engine
  /// cannot be used to read other Keychain items.
  static let secretNames: Set<String> = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]

  func installSecretsAndLog(on root: HostObjectBuilder) {
    let store = dependencies.secrets
    let secrets = root.capability("secrets")
    secrets.async("get") { arguments in
      let name = try arguments[argument: 0].requireString("name")
      guard EngineHost.secretNames.contains(name) else { throw HostError(code: "EINVAL", message: "unknown secret \(name)") }
      guard let value = try store.get(name), !value.isEmpty else { return .undefined }
      return .string(value)
    }

    let engineLog = Logger(subsystem: "app.stint", category: "engine.log")
    let log = root.capability("log")
    log.sync("write") { arguments in
      let level = arguments[argument: 0]?.toString() ?? "info"
      let message = arguments[argument: 1]?.toString() ?? ""
      // The engine redacts secrets before logging; data can still name files and sessions,
      // so it stays private in the unified log (visible with a debug profile only).
      let data = arguments[argument: 2].flatMap { $0.isUndefined ? nil : $0.toDictionary()?.description } ?? ""
      let type: OSLogType =
        switch level {
        case "debug": .debug
        case "warn": .default
        case "error": .error
        default: .info
        }
      engineLog.log(level: type, "\(message, privacy: .public) \(data, privacy: .private)")
      return .undefined
    }
  }
}

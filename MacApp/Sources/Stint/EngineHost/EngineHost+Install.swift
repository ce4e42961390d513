import Foundation
import JavaScriptCore
import StintCore

/// `HostPort.info` (engine/src/host/host-port.ts).
struct HostInfo: Encodable {
  let name: String
  let version: String
  let platform: String
  let nativeHash: Bool
  /// The recorder writes into the capture staging area and hashes what it wrote.
  let recorderHashes: Bool
  let providerBaseUrls: [String: String]?
}

extension EngineHost {
  /// The whole host port, installed natively. Optional capabilities are installed only when
  /// the Mac can serve them (the recorder needs a capture service).
  func makeHostObject(in context: JSContext) -> JSValue {
    let root = HostObjectBuilder(object: JSValue(newObjectIn: context)!, context: context, host: self)
    let info = HostInfo(
      name: "macos", version: dependencies.bundle.version, platform: "darwin", nativeHash: true, recorderHashes: dependencies.recorder != nil,
      providerBaseUrls: dependencies.providerBaseURLs.isEmpty ? nil : dependencies.providerBaseURLs)
    root.value("info", (try? HostValue(encoding: info)) ?? .object([:]))
    root.sync("emit") { [weak self] arguments in
      if let event = arguments[argument: 0] { self?.deliver(HostValue(event)) }
      return .undefined
    }
    installClock(on: root)
    installFiles(on: root)
    installCrypto(on: root)
    installHTTP(on: root)
    installSecretsAndLog(on: root)
    if let recorder = dependencies.recorder { installRecorder(recorder, on: root) }
    installMedia(on: root)
    installLock(on: root)
    installRecognition(on: root)
    return root.object
  }
}

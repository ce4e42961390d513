import Foundation
import StintCore

extension EngineHost {
  /// `host.recorder`: the engine drives native capture; captured items come back as
  /// `recording.*` notifications through `StintEngine.handle`, never as return values.
  func installRecorder(_ capture: CaptureRecorder, on root: HostObjectBuilder) {
    let recorder = root.capability("recorder")
    recorder.async("start") { arguments in
      let config = try arguments[argument: 0].decode(RecorderConfiguration.self)
      try await capture.start(config)
      return .undefined
    }
    recorder.async("pause") { _ in
      try await capture.pause()
      return .undefined
    }
    recorder.async("resume") { _ in
      try await capture.resume()
      return .undefined
    }
    recorder.async("stop") { _ in
      try await capture.stop()
      return .undefined
    }
    recorder.async("addSource") { arguments in
      let source = try arguments[argument: 0].decode(RecorderConfiguration.Source.self)
      try await capture.addSource(source)
      return .undefined
    }
    recorder.async("removeSource") { arguments in
      try await capture.removeSource(id: try arguments[argument: 0].requireString("sourceId"))
      return .undefined
    }
    recorder.async("permissions") { _ in
      let states = await capture.permissions()
      return .object(states.mapValues { HostValue.string($0.rawValue) })
    }
    recorder.async("requestPermission") { arguments in
      let name = try arguments[argument: 0].requireString("kind")
      guard let kind = PermissionKind(rawValue: name) else { throw HostError(code: "EINVAL", message: "unknown permission \(name)") }
      return .string(await capture.requestPermission(kind).rawValue)
    }
    recorder.async("sources") { _ in
      try HostValue(encoding: try await capture.sources())
    }
  }
}

/// Params of the recorder's `recording.*` notifications (host → engine), field for field as
/// engine/src/session/schemas.ts declares them. Those schemas are strict: an extra key is
/// rejected, so nothing here is "nice to have".
///
/// They carry paths and digests, never bytes: the recorder writes and hashes each file
/// itself (DESIGN.md §1). Times are integer epoch milliseconds; durations integer ms.
public enum RecordingNotification: Sendable, Hashable {
  case screenshot(ScreenshotCaptured)
  case audio(AudioSegmentCaptured)
  case video(VideoSegmentCaptured)
  case health(CaptureHealthSample)

  public var method: BridgeMethod {
    switch self {
    case .screenshot: .recordingScreenshot
    case .audio: .recordingAudio
    case .video: .recordingVideo
    case .health: .recordingHealth
    }
  }

  public func message() throws -> BridgeMessage {
    let params: JSONValue =
      switch self {
      case .screenshot(let value): try JSONValue(encoding: value)
      case .audio(let value): try JSONValue(encoding: value)
      case .video(let value): try JSONValue(encoding: value)
      case .health(let value): try JSONValue(encoding: value)
      }
    return BridgeMessage(method: method.rawValue, params: params)
  }
}

/// `recording.screenshot` (RecordingScreenshotSchema).
public struct ScreenshotCaptured: Sendable, Hashable, Codable {
  public var sessionId: String
  /// Per-session counter from 0; a gap tells the engine an item was dropped.
  public var sequence: Int
  public var path: String
  public var sha256: String
  public var size: Int64
  public var width: Int
  public var height: Int
  public var capturedAt: Int64
  public var mimeType: String
  public var sourceId: String?
  /// 16 hex characters (64-bit dHash), computed natively with vImage.
  public var perceptualHash: String?

  public init(
    sessionId: String, sequence: Int, path: String, sha256: String, size: Int64, width: Int, height: Int,
    capturedAt: Int64, mimeType: String = "image/png", sourceId: String? = nil, perceptualHash: String? = nil
  ) {
    self.sessionId = sessionId
    self.sequence = sequence
    self.path = path
    self.sha256 = sha256
    self.size = size
    self.width = width
    self.height = height
    self.capturedAt = capturedAt
    self.mimeType = mimeType
    self.sourceId = sourceId
    self.perceptualHash = perceptualHash
  }
}

/// `recording.audio` (RecordingAudioSchema).
public struct AudioSegmentCaptured: Sendable, Hashable, Codable {
  public enum Source: String, Sendable, Hashable, Codable { case mixed, microphone, system }

  public var sessionId: String
  public var sequence: Int
  public var path: String
  public var sha256: String
  public var size: Int64
  public var durationMs: Int64
  public var startedAt: Int64
  public var mimeType: String
  public var sampleRate: Int?
  public var channels: Int?
  /// Peak microphone level in the segment, 0…1; 0 is digital silence.
  public var peak: Double?
  public var source: Source

  public init(
    sessionId: String, sequence: Int, path: String, sha256: String, size: Int64, durationMs: Int64,
    startedAt: Int64, mimeType: String = "audio/wav", sampleRate: Int? = nil, channels: Int? = nil,
    peak: Double? = nil, source: Source = .mixed
  ) {
    self.sessionId = sessionId
    self.sequence = sequence
    self.path = path
    self.sha256 = sha256
    self.size = size
    self.durationMs = durationMs
    self.startedAt = startedAt
    self.mimeType = mimeType
    self.sampleRate = sampleRate
    self.channels = channels
    self.peak = peak
    self.source = source
  }
}

/// `recording.video` (RecordingVideoSchema).
public struct VideoSegmentCaptured: Sendable, Hashable, Codable {
  public var sessionId: String
  public var sequence: Int
  public var path: String
  public var sha256: String
  public var size: Int64
  public var durationMs: Int64
  public var startedAt: Int64
  public var width: Int
  public var height: Int
  public var fps: Double?
  public var mimeType: String

  public init(
    sessionId: String, sequence: Int, path: String, sha256: String, size: Int64, durationMs: Int64,
    startedAt: Int64, width: Int, height: Int, fps: Double? = nil, mimeType: String = "video/mp4"
  ) {
    self.sessionId = sessionId
    self.sequence = sequence
    self.path = path
    self.sha256 = sha256
    self.size = size
    self.durationMs = durationMs
    self.startedAt = startedAt
    self.width = width
    self.height = height
    self.fps = fps
    self.mimeType = mimeType
  }
}

/// `recording.health` (RecordingHealthSchema): one sample from a real capture signal,
/// discriminated by `kind` on the wire.
public struct CaptureHealthSample: Sendable, Hashable, Codable {
  public enum Service: String, Sendable, Hashable, Codable { case screenshots, audio, video }
  public enum Permission: String, Sendable, Hashable, Codable { case screen, microphone, camera }

  public enum Signal: Sendable, Hashable {
    /// Microphone peak 0…1 over the last interval (0 = digital silence).
    case level(peak: Double)
    /// Frames or items lost (SCFrameStatus other than complete/idle, writer back-pressure).
    case drops(service: Service, dropped: Int, reason: String?)
    case disk(freeBytes: Int64, totalBytes: Int64?)
    case permission(Permission, state: String)
    case writeFailed(service: Service, code: String, message: String?)
    /// Capture buffer fill 0…1; the engine warns from 0.9.
    case buffer(service: Service, fill: Double)
  }

  public var sessionId: String
  public var at: Int64
  public var signal: Signal

  public init(sessionId: String, at: Int64, signal: Signal) {
    self.sessionId = sessionId
    self.at = at
    self.signal = signal
  }

  private enum CodingKeys: String, CodingKey {
    case kind, sessionId, at, peak, service, dropped, reason, freeBytes, totalBytes, permission, state, code, message,
      fill
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(sessionId, forKey: .sessionId)
    try c.encode(at, forKey: .at)
    switch signal {
    case .level(let peak):
      try c.encode("level", forKey: .kind)
      try c.encode(min(1, max(0, peak)), forKey: .peak)
    case .drops(let service, let dropped, let reason):
      try c.encode("drops", forKey: .kind)
      try c.encode(service, forKey: .service)
      try c.encode(dropped, forKey: .dropped)
      try c.encodeIfPresent(reason.map { String($0.prefix(500)) }, forKey: .reason)
    case .disk(let free, let total):
      try c.encode("disk", forKey: .kind)
      try c.encode(free, forKey: .freeBytes)
      try c.encodeIfPresent(total, forKey: .totalBytes)
    case .permission(let permission, let state):
      try c.encode("permission", forKey: .kind)
      try c.encode(permission, forKey: .permission)
      try c.encode(state, forKey: .state)
    case .writeFailed(let service, let code, let message):
      try c.encode("write_failed", forKey: .kind)
      try c.encode(service, forKey: .service)
      try c.encode(String(code.prefix(40)), forKey: .code)
      try c.encodeIfPresent(message.map { String($0.prefix(500)) }, forKey: .message)
    case .buffer(let service, let fill):
      try c.encode("buffer", forKey: .kind)
      try c.encode(service, forKey: .service)
      try c.encode(min(1, max(0, fill)), forKey: .fill)
    }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    sessionId = try c.decode(String.self, forKey: .sessionId)
    at = try c.decode(Int64.self, forKey: .at)
    switch try c.decode(String.self, forKey: .kind) {
    case "level": signal = .level(peak: try c.decode(Double.self, forKey: .peak))
    case "drops":
      signal = .drops(
        service: try c.decode(Service.self, forKey: .service), dropped: try c.decode(Int.self, forKey: .dropped),
        reason: try c.decodeIfPresent(String.self, forKey: .reason))
    case "disk":
      signal = .disk(
        freeBytes: try c.decode(Int64.self, forKey: .freeBytes), totalBytes: try c.decodeIfPresent(Int64.self, forKey: .totalBytes))
    case "permission":
      signal = .permission(try c.decode(Permission.self, forKey: .permission), state: try c.decode(String.self, forKey: .state))
    case "write_failed":
      signal = .writeFailed(
        service: try c.decode(Service.self, forKey: .service), code: try c.decode(String.self, forKey: .code),
        message: try c.decodeIfPresent(String.self, forKey: .message))
    case "buffer":
      signal = .buffer(service: try c.decode(Service.self, forKey: .service), fill: try c.decode(Double.self, forKey: .fill))
    case let kind:
      throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown health kind \(kind)")
    }
  }
}

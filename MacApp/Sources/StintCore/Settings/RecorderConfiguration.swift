/// The host port's `RecorderConfig` (engine/src/host/host-port.ts), as the recorder receives
/// it from the engine and as the shell proposes it in `session.start`.
public struct RecorderConfiguration: Sendable, Hashable, Codable {
  public struct Source: Sendable, Hashable, Codable {
    public var kind: SourceSelection.Kind
    public var id: String

    public init(kind: SourceSelection.Kind, id: String) {
      self.kind = kind
      self.id = id
    }
  }

  public struct Video: Sendable, Hashable, Codable {
    public var enabled: Bool
    public var fps: Int
    public var segmentSeconds: Int
  }

  public struct Screenshots: Sendable, Hashable, Codable {
    public var enabled: Bool
    public var intervalMs: Int
  }

  public struct Audio: Sendable, Hashable, Codable {
    public var microphone: Bool
    public var systemAudio: Bool
    public var balance: Double
    public var segmentMs: Int
    public var microphoneId: String?
  }

  public var sessionId: String
  public var captureDir: String
  public var sources: [Source]
  public var layout: CompositorLayout
  public var video: Video
  public var screenshots: Screenshots
  public var audio: Audio
  public var excludedBundleIds: [String]
  public var excludedWindowIds: [String]

  public init(
    sessionId: String, captureDir: String, sources: [Source], layout: CompositorLayout, video: Video,
    screenshots: Screenshots, audio: Audio, excludedBundleIds: [String], excludedWindowIds: [String]
  ) {
    self.sessionId = sessionId
    self.captureDir = captureDir
    self.sources = sources
    self.layout = layout
    self.video = video
    self.screenshots = screenshots
    self.audio = audio
    self.excludedBundleIds = excludedBundleIds
    self.excludedWindowIds = excludedWindowIds
  }
}

extension StintSettings {
  /// The capture part of `session.start` params, from the last-used configuration.
  /// `lowDiskBytes` (from ``RecordingBudget/lowDiskBytes(hours:)``) sets the engine's
  /// low-disk threshold; nil keeps the engine's default.
  public func captureRequest(resolvedSources: [SourceSelection], lowDiskBytes: Int64? = nil) -> JSONValue {
    let sources: [JSONValue] = resolvedSources.map { ["kind": .string($0.kind.rawValue), "id": .string($0.id)] }
    var audio: [String: JSONValue] = [
      "microphone": .bool(microphoneEnabled),
      "systemAudio": .bool(systemAudioEnabled),
      "balance": .double(audioBalance),
      "segmentMs": .int(Int64(audioSegmentSeconds) * 1000),
    ]
    if let microphoneID { audio["microphoneId"] = .string(microphoneID) }
    var request: JSONValue = [
      "layout": .string(resolvedSources.count > 1 ? layout.rawValue : CompositorLayout.passthrough.rawValue),
      "video": [
        "enabled": .bool(videoEnabled), "fps": .int(Int64(videoQuality.fps)),
        "segmentSeconds": .int(Int64(videoSegmentSeconds)),
      ],
      "screenshots": [
        "enabled": .bool(screenshotsEnabled), "intervalMs": .int(Int64((screenshotIntervalSeconds * 1000).rounded())),
      ],
      "audio": .object(audio),
      "excludedBundleIds": .array(excludedBundleIDs.map(JSONValue.string)),
      "excludedWindowIds": [],
    ]
    if case .object(var members) = request {
      // Omitted means "the main display"; an explicit empty list is refused by the engine.
      if !sources.isEmpty { members["sources"] = .array(sources) }
      if let lowDiskBytes { members["health"] = ["lowDiskBytes": .int(max(0, lowDiskBytes))] }
      request = .object(members)
    }
    return request
  }
}

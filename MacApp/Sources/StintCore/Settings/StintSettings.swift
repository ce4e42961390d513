import Foundation

/// The AI provider enrichment uses; `local` needs no key and sends nothing off the Mac.
public enum AIProvider: String, Sendable, Hashable, Codable, CaseIterable {
  case local, anthropic, openai

  /// The Keychain item (and host-port `SecretName`) holding this provider's key.
  public var secretName: String? {
    switch self {
    case .local: nil
    case .anthropic: "ANTHROPIC_API_KEY"
    case .openai: "OPENAI_API_KEY"
    }
  }
}

public enum VideoQuality: String, Sendable, Hashable, Codable, CaseIterable {
  case low, standard, high

  public var fps: Int {
    switch self {
    case .low: 15
    case .standard: 30
    case .high: 60
    }
  }

  /// Longest output edge in pixels.
  public var maxEdge: Double {
    switch self {
    case .low: 1280
    case .standard: 1920
    case .high: 2880
    }
  }

  /// H.264 average bit rate for `pixels` per frame at this quality's fps. Screen content is
  /// mostly static text, so ~0.08 bits per pixel per frame stays legible.
  public func bitRate(forPixels pixels: Double) -> Int {
    let bitsPerPixel: Double =
      switch self {
      case .low: 0.05
      case .standard: 0.08
      case .high: 0.12
      }
    return Int(max(500_000, min(40_000_000, pixels * Double(fps) * bitsPerPixel)))
  }
}

/// A capture source as settings remember it (its id is re-resolved at start).
public struct SourceSelection: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable { case display, window, camera }
  public var kind: Kind
  public var id: String

  public init(kind: Kind, id: String) {
    self.kind = kind
    self.id = id
  }
}

/// Everything the Settings window edits, except API keys (those live in the Keychain only).
public struct StintSettings: Sendable, Hashable, Codable {
  public var provider: AIProvider = .local
  public var anthropicModels = ModelChoice(fast: "claude-haiku-4-5", strong: "claude-sonnet-4-5")
  public var openAIModels = ModelChoice(fast: "gpt-4o-mini", strong: "gpt-4o", transcription: "gpt-4o-mini-transcribe")
  /// Enrichment refuses to start a session whose estimate is above this, in US dollars.
  public var maxCostPerSession: Double = 0.50
  public var monthlyBudget: Double = 10
  /// Slower, cheaper batch processing of screenshots where the provider offers it.
  public var allowBatchProcessing = true
  /// Keep screenshots on the Mac: no image goes to a cloud provider.
  public var keepScreenshotsLocal = false

  /// Empty means "the main display" (resolved at start).
  public var sources: [SourceSelection] = []
  public var layout: CompositorLayout = .passthrough
  public var videoEnabled = true
  public var videoQuality: VideoQuality = .standard
  public var videoSegmentSeconds = 10
  public var screenshotsEnabled = true
  public var screenshotIntervalSeconds: Double = 5

  public var microphoneEnabled = true
  public var systemAudioEnabled = true
  public var microphoneID: String?
  /// 0 = only microphone, 1 = only system audio (host-port `RecorderConfig.audio.balance`).
  public var audioBalance: Double = 0.5
  public var audioSegmentSeconds = 30

  public var excludedBundleIDs: [String] = StintSettings.defaultExcludedBundleIDs
  /// `nil`: `~/Library/Application Support/Stint`.
  public var dataFolderPath: String?
  /// Sessions older than this are deleted; `nil` keeps everything.
  public var retentionDays: Int? = nil
  public var launchAtLogin = false
  public var notifyOnEnrichment = true
  public var hotkeys: HotkeyBindings = .defaults
  /// After sleep, a screen lock or a display change paused a recording.
  public var afterInterruption: InterruptionTracker.Policy = .resume

  public init() {}

  /// Password managers and the Keychain: their pixels never reach disk unless the user
  /// removes them from the list.
  public static let defaultExcludedBundleIDs = [
    "com.1password.1password",
    "com.agilebits.onepassword7",
    "com.bitwarden.desktop",
    "com.apple.Passwords",
    "com.apple.keychainaccess",
    "com.dashlane.dashlanephonefinal",
    "com.lastpass.LastPass",
    "org.keepassxc.keepassxc",
    "com.enpass.Enpass",
    "com.nordpass.macos.NordPass",
  ]

  public enum Issue: Sendable, Hashable, CustomStringConvertible {
    case outOfRange(field: String, value: Double, range: ClosedRange<Double>)
    case invalidHotkey(HotkeyAction, KeyCombo.ValidationError)
    case hotkeyClash(HotkeyClash)
    case nothingToCapture

    public var description: String {
      switch self {
      case .outOfRange(let field, let value, let range):
        "\(field) is \(value); it must be between \(range.lowerBound) and \(range.upperBound)."
      case .invalidHotkey(let action, let error):
        "The shortcut for “\(action.title)” is not usable (\(error))."
      case .hotkeyClash(let clash): clash.description
      case .nothingToCapture: "Turn on at least one of video, screenshots, microphone or system audio."
      }
    }
  }

  /// Problems the Settings window shows next to the fields; nothing is silently clamped.
  public func issues(systemHotkeys: Set<KeyCombo> = []) -> [Issue] {
    var issues: [Issue] = []
    func check(_ field: String, _ value: Double, _ range: ClosedRange<Double>) {
      if !range.contains(value) || value.isNaN { issues.append(.outOfRange(field: field, value: value, range: range)) }
    }
    check("maxCostPerSession", maxCostPerSession, 0...1000)
    check("monthlyBudget", monthlyBudget, 0...100_000)
    check("screenshotIntervalSeconds", screenshotIntervalSeconds, 1...3600)
    check("audioBalance", audioBalance, 0...1)
    check("audioSegmentSeconds", Double(audioSegmentSeconds), 5...600)
    check("videoSegmentSeconds", Double(videoSegmentSeconds), 2...120)
    if let retentionDays { check("retentionDays", Double(retentionDays), 1...3650) }
    for (action, combo) in hotkeys.combos.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
      do { try combo.validate() } catch let error as KeyCombo.ValidationError {
        issues.append(.invalidHotkey(action, error))
      } catch {}
    }
    issues += hotkeys.clashes(system: systemHotkeys).map(Issue.hotkeyClash)
    if !videoEnabled && !screenshotsEnabled && !microphoneEnabled && !systemAudioEnabled {
      issues.append(.nothingToCapture)
    }
    return issues
  }

  /// The engine's `EnrichmentOptions` (engine/src/enrichment/types.ts) for these settings.
  public func enrichmentOptions() -> JSONValue {
    let models = provider == .openai ? openAIModels : anthropicModels
    var options: [String: JSONValue] = [
      "provider": .string(provider.rawValue),
      "maxCost": .double(maxCostPerSession),
      "allowBatch": .bool(allowBatchProcessing),
      "keepScreenshotsLocal": .bool(keepScreenshotsLocal),
    ]
    if provider != .local {
      options["screenshotModel"] = .string(models.fast)
      options["summaryModel"] = .string(models.strong)
      if let transcription = models.transcription { options["transcriptionModel"] = .string(transcription) }
    }
    return .object(options)
  }

  /// `settings.update` params: job defaults, the monthly budget (0 means none) and how many
  /// days finished sessions are kept (nil keeps them all; the engine deletes older ones).
  public func engineSettingsParams() -> JSONValue {
    .object([
      "enrichment": enrichmentOptions(),
      "monthlyBudgetUsd": monthlyBudget > 0 ? .double(monthlyBudget) : .null,
      "retentionDays": retentionDays.map { .int(Int64($0)) } ?? .null,
    ])
  }

  /// Decodes stored settings; fields added in later versions take their defaults.
  public static func decode(from data: Data) throws -> StintSettings {
    let stored = try JSONDecoder().decode(JSONValue.self, from: data)
    var merged = try JSONValue(encoding: StintSettings()).objectValue ?? [:]
    for (key, value) in stored.objectValue ?? [:] { merged[key] = value }
    return try JSONValue.object(merged).decode(StintSettings.self)
  }

  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(self)
  }
}

public struct ModelChoice: Sendable, Hashable, Codable {
  /// Per-screenshot and other bulk work.
  public var fast: String
  /// Chapters and the summary.
  public var strong: String
  public var transcription: String?

  public init(fast: String, strong: String, transcription: String? = nil) {
    self.fast = fast
    self.strong = strong
    self.transcription = transcription
  }
}

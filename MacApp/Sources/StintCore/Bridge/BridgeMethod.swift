/// Every bridge method the Swift shell sends to the engine.
///
/// `Scripts/swift-check` reads the raw values of this enum and fails `npm test` when one
/// is missing from the engine's router, so a renamed engine method cannot slip past review.
/// The review panel's own requests are relayed verbatim and are not listed here.
public enum BridgeMethod: String, Sendable, CaseIterable {
  case engineVersion = "engine.version"
  case engineCapabilities = "engine.capabilities"

  case sessionStart = "session.start"
  case sessionPause = "session.pause"
  case sessionResume = "session.resume"
  case sessionEnd = "session.end"
  case sessionMark = "session.mark"
  case sessionGet = "session.get"
  case sessionList = "session.list"
  /// Leave the `error` state: RETRY or DISMISS.
  case sessionRetry = "session.retry"
  case sessionDismiss = "session.dismiss"

  /// The user's enrichment defaults and monthly budget, sent at start and on every change.
  case settingsUpdate = "settings.update"

  case recordingSources = "recording.sources"
  case recordingPermissions = "recording.permissions"

  /// Notifications from the native recorder: paths and digests, never bytes.
  case recordingScreenshot = "recording.screenshot"
  case recordingAudio = "recording.audio"
  case recordingVideo = "recording.video"
  case recordingHealth = "recording.health"

  /// Notifications are fire-and-forget: no id, no reply.
  public var isNotification: Bool {
    switch self {
    case .recordingScreenshot, .recordingAudio, .recordingVideo, .recordingHealth: true
    default: false
    }
  }

  /// The bound on one call: ending a session waits for the recorder's last files to be
  /// finished, hashed and reported (the stop barrier), so it gets longer.
  public var timeout: Duration {
    switch self {
    case .sessionEnd: BridgeTimeouts.stop
    default: BridgeTimeouts.standard
    }
  }
}

/// Bounds on a bridge call. A timeout only stops the caller waiting; the engine finishes
/// the work regardless.
public enum BridgeTimeouts {
  public static let standard: Duration = .seconds(5)
  /// Ending a session: the recorder's stop barrier, then finalization.
  public static let stop: Duration = .seconds(30)
  /// `StintEngine.start`: recovering interrupted sessions and opening storage can take a
  /// while on a large library; the menu says "starting" meanwhile instead of failing.
  public static let engineStart: Duration = .seconds(300)
  /// Requests relayed from the review panel get the panel's own bounds
  /// (`DEFAULT_TIMEOUT_MS` and the end call's `timeoutMs` in webview-ui/src/bridge), so the
  /// host never gives up on a request the page is still waiting for.
  public static let panel: Duration = .seconds(15)
  /// The panel's longest wait: ending a session, and `storage.repair` (60 s in webview-ui).
  public static let panelStop: Duration = .seconds(60)

  /// The bound for a request the panel relays.
  public static func relayTimeout(forMethod method: String) -> Duration {
    method.hasSuffix(".end") || method.hasSuffix(".stop") || method == "storage.repair" ? panelStop : panel
  }

  /// Relayed panel requests carry arbitrary methods; stop-like ones get the longer bound.
  public static func timeout(forMethod method: String) -> Duration {
    if let known = BridgeMethod(rawValue: method) { return known.timeout }
    return method.hasSuffix(".end") || method.hasSuffix(".stop") ? stop : standard
  }
}

/// Engine events the shell listens to (dot-namespaced, DESIGN.md §4). Enrichment is followed
/// through its events rather than polled, so the shell sends no `enrichment.*` request.
public enum EngineEventName {
  public static let sessionState = "session.state"
  public static let sessionMarker = "session.marker"
  public static let captureHealth = "capture.health"
  public static let enrichmentCompleted = "enrichment.job.completed"
  public static let enrichmentFailed = "enrichment.job.failed"
  public static let enrichmentProgress = "enrichment.job.progress"
  public static let mediaProgress = "media.progress"
}

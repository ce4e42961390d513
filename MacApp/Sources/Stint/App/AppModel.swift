import AppKit
import Observation
import OSLog
import StintCore

/// What the menu bar shows.
enum RecordingStatus: Equatable {
  case idle
  case starting
  case recording
  case paused
  case processing
  case error(String)
}

/// A row of "Recent sessions".
struct RecentSession: Identifiable, Hashable {
  var id: String
  var name: String
  var status: String
}

/// A capture source offered in Settings (from `recording.sources`).
struct SourceOption: Identifiable, Hashable {
  var selection: SourceSelection
  var label: String
  var id: String { "\(selection.kind.rawValue):\(selection.id)" }
}

/// The app's composition root and the menu bar's state. Owns the engine host, the native
/// recorder, hotkeys, notifications and the review panel; turns engine events into state.
@MainActor
@Observable
final class AppModel {
  private(set) var status: RecordingStatus = .idle
  private(set) var sessionID: String?
  private(set) var recentSessions: [RecentSession] = []
  private(set) var availableSources: [SourceOption] = []
  private(set) var hotkeyClashes: [HotkeyClash] = []
  private(set) var engineReady = false
  private(set) var lastError: String?
  /// Set when a start needs permissions first; the menu bar label opens onboarding.
  var onboardingRequested = false
  var launchAtLogin = LaunchAtLogin()

  /// Session time at `activeSince` (paused spans excluded), for the elapsed display.
  private var activeMs: Double = 0
  private var activeSince: Date?
  private var processing: Set<String> = []

  let settings: SettingsStore
  @ObservationIgnored private let engine: EngineHost
  @ObservationIgnored private let hotkeys = HotkeyCenter()
  @ObservationIgnored private let notifier = Notifier()
  @ObservationIgnored private lazy var review = ReviewPanelController(engine: engine, dataDirectory: settings.dataDirectory)
  @ObservationIgnored private var eventTask: Task<Void, Never>?
  @ObservationIgnored private let logger = Logger(subsystem: "app.stint", category: "app")

  init(settings: SettingsStore = SettingsStore()) {
    self.settings = settings
    let dataDirectory = settings.dataDirectory
    try? FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
    // The recorder reports to the engine, which is created with the recorder: a relay
    // breaks the knot without a retain cycle.
    let relay = NotificationRelay()
    let recorder = CaptureRecorder(dataDirectory: dataDirectory) { notification in await relay.host?.notify(notification) }
    engine = EngineHost(
      dependencies: .init(dataDirectory: dataDirectory, bundle: .main, secrets: .live, recorder: recorder))
    relay.host = engine

    notifier.onOpenSession = { [weak self] id in self?.openReview(sessionID: id) }
    for action in HotkeyAction.allCases {
      hotkeys.onAction(action) { [weak self] in self?.perform(action) }
    }
    applyHotkeys()
    eventTask = Task { [weak self, engine] in
      for await event in engine.events { self?.handle(event) }
    }
    Task { await boot() }
  }

  // MARK: Lifecycle

  private func boot() async {
    do {
      let version = try await engine.start()
      engineReady = true
      await pushEngineSettings(settings.settings)
      settings.onChange = { [weak self] changed in
        Task { await self?.pushEngineSettings(changed) }
      }
      logger.info("engine \(version, privacy: .public) started; JIT \(self.engine.jitLikelyEnabled ? "on" : "off", privacy: .public)")
      await refreshRecent()
    } catch {
      status = .error("The engine did not start: \(error.localizedDescription)")
      logger.error("engine start failed: \(error.localizedDescription, privacy: .public)")
    }
  }

  /// The engine keeps the enrichment defaults and budget itself, so background jobs use them.
  private func pushEngineSettings(_ value: StintSettings) async {
    do {
      _ = try await engine.call(.settingsUpdate, value.engineSettingsParams())
    } catch {
      logger.error("settings.update failed: \(error.localizedDescription, privacy: .public)")
    }
  }

  func shutdown() async {
    hotkeys.unregisterAll()
    await engine.stop()
    eventTask?.cancel()
  }

  // MARK: Elapsed

  /// Session time now, for the menu bar (a TimelineView re-reads it every second).
  func elapsedMs(at now: Date = Date()) -> Double {
    guard let activeSince else { return activeMs }
    return activeMs + now.timeIntervalSince(activeSince) * 1000
  }

  var elapsedText: String? {
    switch status {
    case .recording, .paused: ElapsedFormat.string(milliseconds: elapsedMs())
    default: nil
    }
  }

  // MARK: Actions

  func perform(_ action: HotkeyAction) {
    switch action {
    case .toggleRecording: status == .recording || status == .paused ? endRecording() : startRecording()
    case .togglePause: togglePause()
    case .addMarker: addMarker()
    case .openReview: openReview()
    }
  }

  /// Permissions the last-used configuration needs and does not have.
  var missingPermissions: [PermissionKind] {
    PermissionKind.required(by: settings.settings).filter { Permission.live($0).check() != .granted }
  }

  var requiredPermissions: [PermissionKind] { PermissionKind.required(by: settings.settings) }

  /// One click, with the last-used configuration.
  func startRecording() {
    guard status == .idle || status == .processing else { return }
    guard missingPermissions.isEmpty else {
      onboardingRequested = true
      return
    }
    status = .starting
    var params = settings.settings.captureRequest(resolvedSources: settings.settings.sources)
    if case .object(var members) = params {
      members["name"] = .string("Session \(Date().formatted(date: .abbreviated, time: .shortened))")
      params = .object(members)
    }
    send(.sessionStart, params)
  }

  func togglePause() {
    switch status {
    case .recording: send(.sessionPause)
    case .paused: send(.sessionResume)
    default: break
    }
  }

  func endRecording() {
    guard status == .recording || status == .paused else { return }
    status = .processing
    send(.sessionEnd)
  }

  /// For quitting mid-session: ends it and waits (bounded by the stop timeout).
  func endRecordingAndWait() async {
    status = .processing
    let result = try? await engine.call(.sessionEnd)
    if let result { apply(state: result) }
  }

  func addMarker() {
    guard status == .recording || status == .paused else { return }
    send(.sessionMark)
  }

  func retry() { send(.sessionRetry) }
  func dismissError() { send(.sessionDismiss) }

  func openReview(sessionID: String? = nil) {
    review.show(sessionID: sessionID)
  }

  func applyHotkeys() {
    hotkeyClashes = hotkeys.apply(settings.settings.hotkeys)
  }

  func setLaunchAtLogin(_ enabled: Bool) {
    do {
      try launchAtLogin.set(enabled)
      settings.settings.launchAtLogin = enabled
    } catch {
      lastError = "Open at login: \(error.localizedDescription)"
    }
    launchAtLogin = LaunchAtLogin()
  }

  func refreshSources() async {
    guard engineReady, let result = try? await engine.call(.recordingSources) else { return }
    availableSources = (result["sources"]?.arrayValue ?? []).compactMap { source in
      guard let kindName = source["kind"]?.stringValue, let kind = SourceSelection.Kind(rawValue: kindName),
        let id = source["id"]?.stringValue
      else { return nil }
      let name = source["name"]?.stringValue ?? id
      let app = source["appName"]?.stringValue
      return SourceOption(selection: SourceSelection(kind: kind, id: id), label: app.map { "\($0) — \(name)" } ?? name)
    }
  }

  func refreshRecent() async {
    guard let result = try? await engine.call(.sessionList, ["limit": 5]) else { return }
    recentSessions = (result["sessions"]?.arrayValue ?? []).compactMap { session in
      guard let id = session["id"]?.stringValue ?? session["sessionId"]?.stringValue else { return nil }
      return RecentSession(id: id, name: session["name"]?.stringValue ?? "Untitled session", status: session["status"]?.stringValue ?? "")
    }
  }

  private func send(_ method: BridgeMethod, _ params: JSONValue = [:]) {
    Task {
      do {
        let result = try await engine.call(method, params)
        if result["status"] != nil { apply(state: result) }
        lastError = nil
      } catch let error as EngineHostError {
        lastError = error.localizedDescription
        if method == .sessionStart { status = .error(error.localizedDescription) }
        logger.error("\(method.rawValue, privacy: .public) failed: \(error.code, privacy: .public)")
      } catch {
        lastError = error.localizedDescription
      }
    }
  }

  // MARK: Engine events

  private func handle(_ event: BridgeEvent) {
    review.deliver(event)
    switch event.method {
    case EngineEventName.sessionState:
      apply(state: event.params)
    case EngineEventName.enrichmentCompleted, EngineEventName.enrichmentFailed:
      let sessionID = event.params["sessionId"]?.stringValue
      if let sessionID { processing.remove(sessionID) }
      if status == .processing && processing.isEmpty { status = .idle }
      if settings.settings.notifyOnEnrichment {
        let failed = event.method == EngineEventName.enrichmentFailed
        Task {
          await notifier.post(
            title: failed ? "Enrichment failed" : "Session ready to review",
            body: failed ? (event.params["error"]?["message"]?.stringValue ?? "Open Stint to retry.") : "Summary, chapters and tasks are ready.",
            sessionID: sessionID)
        }
      }
      Task { await refreshRecent() }
    case let method where method.hasPrefix("enrichment.job."):
      if let sessionID = event.params["sessionId"]?.stringValue, event.method != "enrichment.job.cancelled" {
        processing.insert(sessionID)
        if status == .idle { status = .processing }
      }
    default:
      break
    }
  }

  /// `session.state`: `{ state, status, sessionId, activeMs, at, error, … }`; `status` is the
  /// coarse name meant for UIs (the machine's `state` has more steps).
  private func apply(state event: JSONValue) {
    let state = event["status"]?.stringValue ?? event["state"]?.stringValue ?? "idle"
    sessionID = event["sessionId"]?.stringValue ?? sessionID
    activeMs = event["activeMs"]?.doubleValue ?? activeMs
    switch state {
    case "active", "resuming":
      status = .recording
      activeSince = Date()
    case "paused", "pausing":
      status = .paused
      activeSince = nil
    case "starting":
      status = .starting
      activeSince = nil
    case "ending":
      status = .processing
      activeSince = nil
    case "error":
      status = .error(event["error"]?["message"]?.stringValue ?? event["error"]?.stringValue ?? "Recording failed")
      activeSince = nil
    default:
      activeSince = nil
      status = processing.isEmpty ? .idle : .processing
      if state == "completed" { Task { await refreshRecent() } }
    }
  }
}

/// Lets the recorder reach the engine host created after it.
private final class NotificationRelay: @unchecked Sendable {
  weak var host: EngineHost?
}

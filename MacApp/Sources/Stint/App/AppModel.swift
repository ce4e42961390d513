import AppKit
import Observation
import OSLog
import StintCore

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
  @ObservationIgnored private let onboarding = OnboardingWindowController()
  @ObservationIgnored private var interruptions = InterruptionTracker()
  @ObservationIgnored private var interruptionWatcher: InterruptionWatcher?
  @ObservationIgnored private var interruptedAt: Date?
  @ObservationIgnored private var booting = false

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
    interruptionWatcher = InterruptionWatcher { [weak self] reason, began in self?.interruption(reason, began: began) }
    Task { await boot() }
  }

  // MARK: Lifecycle

  /// Starts the engine. Recovery of interrupted sessions can take a while on a large
  /// library: after a few seconds the menu says so, and a failed start can be retried
  /// (`retry()`), so `engineReady` never stays false without a way forward.
  private func boot() async {
    guard !booting, !engineReady else { return }
    booting = true
    defer { booting = false }
    let slow = Task { [weak self] in
      try? await Task.sleep(for: .seconds(5))
      guard !Task.isCancelled else { return }
      self?.lastError = "Stint is still starting (checking earlier sessions)…"
    }
    defer { slow.cancel() }
    do {
      let version = try await engine.start()
      engineReady = true
      lastError = nil
      if case .error = status { status = .idle }
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
    interruptionWatcher?.invalidate()
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

  /// Permissions the last-used configuration needs and does not have (Screen Recording is
  /// probed through ScreenCaptureKit, see `Permission`).
  func missingPermissions() async -> [PermissionKind] {
    var missing: [PermissionKind] = []
    for kind in PermissionKind.required(by: settings.settings) where await Permission.live(kind).status() != .granted {
      missing.append(kind)
    }
    return missing
  }

  var requiredPermissions: [PermissionKind] { PermissionKind.required(by: settings.settings) }

  /// One click, with the last-used configuration.
  func startRecording() {
    guard status == .idle || status == .processing else { return }
    let previous = status
    status = .starting
    Task {
      guard await missingPermissions().isEmpty else {
        status = previous
        onboarding.show(kinds: requiredPermissions) { [weak self] in self?.startRecording() }
        return
      }
      var params = settings.settings.captureRequest(
        resolvedSources: settings.settings.sources, lowDiskBytes: recordingBudget(for: settings.settings).lowDiskBytes())
      if case .object(var members) = params {
        members["name"] = .string("Session \(Date().formatted(date: .abbreviated, time: .shortened))")
        params = .object(members)
      }
      send(.sessionStart, params)
    }
  }

  /// Expected bytes per hour for `value`, from the selected sources' sizes (the main display
  /// when none is selected or its size is unknown).
  func recordingBudget(for value: StintSettings) -> RecordingBudget {
    let scale = Double(NSScreen.main?.backingScaleFactor ?? 2)
    let mainDisplay = NSScreen.main.map { PixelSize(width: $0.frame.width * scale, height: $0.frame.height * scale) }
    let sizes = value.sources.map { selection in
      (selection.kind, availableSources.first { $0.selection == selection }?.pixelSize)
    }
    var screens = sizes.filter { $0.0 != .camera }.compactMap { $0.1 ?? mainDisplay }
    if screens.isEmpty, let mainDisplay { screens = [mainDisplay] }
    // Webcams report no size before they open; 1080p is the common ceiling.
    let cameras = sizes.filter { $0.0 == .camera }.map { $0.1 ?? PixelSize(width: 1920, height: 1080) }
    return RecordingBudget(settings: value, screens: screens, cameras: cameras)
  }

  func togglePause() {
    interruptions.forget()
    switch status {
    case .recording: send(.sessionPause)
    case .paused: send(.sessionResume)
    default: break
    }
  }

  func endRecording() {
    guard status == .recording || status == .paused else { return }
    interruptions.forget()
    status = .processing
    send(.sessionEnd)
  }

  // MARK: Sleep, lock and display changes

  /// Pauses at the first interruption (the recorder closes and reports its segments before
  /// the pause resolves), then resumes or ends by the user's setting. Each edge leaves a
  /// marker naming the cause, so the gap shows in the session and its integrity report
  /// (a pause span, and a marker) instead of a silently dead recorder.
  private func interruption(_ reason: InterruptionTracker.Reason, began: Bool) {
    let action =
      began
      ? interruptions.begin(reason, recording: status == .recording)
      : interruptions.end(reason, policy: settings.settings.afterInterruption)
    switch action {
    case .none:
      break
    case .pause(let reason):
      interruptedAt = Date()
      logger.info("pausing for \(reason.rawValue, privacy: .public)")
      Task {
        _ = try? await engine.call(.sessionMark, ["note": .string("Paused: \(reason.phrase).")])
        do {
          apply(state: try await engine.call(.sessionPause))
        } catch {
          lastError = "Could not pause when \(reason.phrase): \(error.localizedDescription)"
        }
      }
    case .resume(let reasons), .end(let reasons):
      let minutes = interruptedAt.map { Int((Date().timeIntervalSince($0) / 60).rounded()) } ?? 0
      interruptedAt = nil
      let causes = reasons.map(\.phrase).joined(separator: ", ")
      let ending: Bool
      if case .end = action { ending = true } else { ending = false }
      Task {
        if ending {
          _ = try? await engine.call(.sessionMark, ["note": .string("Ended after a \(minutes)-minute gap: \(causes).")])
          endRecording()
        } else {
          do {
            apply(state: try await engine.call(.sessionResume))
            _ = try? await engine.call(.sessionMark, ["note": .string("Resumed after a \(minutes)-minute gap: \(causes).")])
          } catch {
            lastError = "Could not resume after \(causes): \(error.localizedDescription)"
          }
        }
      }
    }
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

  /// Retries what failed: the engine's start, or the session step the engine reports.
  func retry() {
    if engineReady {
      send(.sessionRetry)
    } else {
      status = .idle
      Task { await boot() }
    }
  }

  /// While a shortcut is being recorded in Settings, global hotkeys must not fire.
  func suspendHotkeys(_ suspended: Bool) {
    if suspended { hotkeys.unregisterAll() } else { applyHotkeys() }
  }
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
      // The recorder reports displays and windows in points.
      let scale = Double(NSScreen.main?.backingScaleFactor ?? 2)
      let size = source["width"]?.doubleValue.flatMap { width in
        source["height"]?.doubleValue.map { PixelSize(width: width * scale, height: $0 * scale) }
      }
      return SourceOption(
        selection: SourceSelection(kind: kind, id: id), label: app.map { "\($0) — \(name)" } ?? name,
        pixelSize: size)
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

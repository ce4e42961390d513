import AVFoundation
import OSLog
import ScreenCaptureKit
import StintCore

/// The native recorder behind `host.recorder`: screen and window sources through SCStream,
/// a webcam through AVCaptureSession, composited video in segments, screenshots on the
/// interval, mixed audio in WAV segments, and health from real signals. Every item is
/// reported to the engine as a `recording.*` notification with its path and digest.
actor CaptureRecorder {
  typealias Notify = @Sendable (RecordingNotification) async -> Void

  enum RecorderError: LocalizedError {
    case alreadyRecording
    case notRecording
    case tooManySources
    case unknownSource(String)

    var errorDescription: String? {
      switch self {
      case .alreadyRecording: "A recording is already running."
      case .notRecording: "Nothing is being recorded."
      case .tooManySources: "At most \(LayoutMath.maxSources) sources can be recorded at once."
      case .unknownSource(let id): "Source \(id) is not part of this recording."
      }
    }
  }

  /// Everything one recording owns.
  private struct Active {
    var config: RecorderConfiguration
    var directory: URL
    /// Every file closed and not yet acknowledged by the engine.
    let ledger = ReportLedger()
    var screens: [String: ScreenCaptureSource] = [:]
    var filters: [String: ScreenshotCapturer.Target] = [:]
    var camera: CameraCaptureSource?
    var video: VideoPipeline?
    var screenshots: ScreenshotCapturer?
    var audio: AudioCapture?
    var health: Task<Void, Never>?
    /// Which SCStream also carries system audio (only one may, or audio doubles).
    var audioStreamID: String?
  }

  private let notify: Notify
  private let dataDirectory: URL
  private var active: Active?
  private let logger = Logger(subsystem: "app.stint", category: "recorder")
  private var healthThrottle = HealthThrottle(interval: 30, urgentInterval: 5)
  private let healthEpoch = ContinuousClock.now

  init(dataDirectory: URL, notify: @escaping Notify) {
    self.dataDirectory = dataDirectory
    self.notify = notify
  }

  // MARK: host.recorder

  func start(_ config: RecorderConfiguration) async throws {
    guard active == nil else { throw RecorderError.alreadyRecording }
    guard config.sources.count <= LayoutMath.maxSources else { throw RecorderError.tooManySources }
    // The engine asks for `capture/{sessionId}`, relative to the data directory.
    let directory =
      config.captureDir.hasPrefix("/")
      ? URL(fileURLWithPath: config.captureDir, isDirectory: true)
      : dataDirectory.appendingPathComponent(config.captureDir, isDirectory: true)
    guard !config.captureDir.split(separator: "/").contains("..") else {
      throw HostError(code: "EINVAL", message: "invalid capture folder")
    }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var state = Active(config: config, directory: directory)
    do {
      let content = try await SCShareableContent.excludingDesktopWindows(true, onScreenWindowsOnly: false)
      try await configure(&state, content: content)
      active = state
      try await startAll()
    } catch {
      active = state
      await tearDown()
      throw HostError(code: "EIO", message: error.localizedDescription)
    }
  }

  /// Pauses every source and resolves once the open video and audio segments are closed
  /// and reported (a pause for sleep or a lock leaves nothing half-written).
  func pause() async throws {
    guard let active else { throw RecorderError.notRecording }
    await active.video?.pause()
    await active.screenshots?.setPaused(true)
    await active.audio?.pause()
    await active.ledger.waitForAll()
  }

  func resume() async throws {
    guard let active else { throw RecorderError.notRecording }
    active.video?.resume()
    await active.screenshots?.setPaused(false)
    await active.audio?.resume()
  }

  /// Resolves once every writer has finished (the last movie segment's `finishWriting`, the
  /// last WAV closed, a screenshot in flight written) and every file has been reported to
  /// the engine and answered: the host port's promise for `recorder.stop`.
  func stop() async throws {
    guard active != nil else { return }
    await tearDown()
  }

  func addSource(_ source: RecorderConfiguration.Source) async throws {
    guard var state = active else { throw RecorderError.notRecording }
    guard state.screens.count + (state.camera == nil ? 0 : 1) < LayoutMath.maxSources else { throw RecorderError.tooManySources }
    let content = try await SCShareableContent.excludingDesktopWindows(true, onScreenWindowsOnly: false)
    try await attach(source, to: &state, content: content, start: true)
    state.config.sources.append(source)
    active = state
    await state.screenshots?.setTargets(Array(state.filters.values))
  }

  func removeSource(id: String) async throws {
    guard var state = active else { throw RecorderError.notRecording }
    if let screen = state.screens.removeValue(forKey: id) {
      await screen.stop()
      state.filters[id] = nil
    } else if state.camera?.sourceID == id {
      state.camera?.stop()
      state.camera = nil
    } else {
      throw RecorderError.unknownSource(id)
    }
    state.video?.removeSource(id)
    state.config.sources.removeAll { $0.id == id }
    active = state
    await state.screenshots?.setTargets(Array(state.filters.values))
  }

  func permissions() async -> [String: PermissionState] {
    var states: [String: PermissionState] = [:]
    for kind in PermissionKind.allCases { states[kind.rawValue] = await Permission.live(kind).status() }
    return states
  }

  func requestPermission(_ kind: PermissionKind) async -> PermissionState {
    await Permission.live(kind).request()
  }

  /// `CaptureSource` of host-port.ts.
  struct SourceInfo: Encodable, Sendable {
    var kind: String
    var id: String
    var name: String
    var width: Int?
    var height: Int?
    var appName: String?
    var bundleId: String?
  }

  func sources() async throws -> [SourceInfo] {
    let content = try await SCShareableContent.excludingDesktopWindows(true, onScreenWindowsOnly: true)
    let own = Bundle.main.bundleIdentifier
    var out = content.displays.enumerated().map { index, display in
      SourceInfo(kind: "display", id: String(display.displayID), name: "Display \(index + 1)", width: display.width, height: display.height)
    }
    out += content.windows
      .filter { $0.isOnScreen && $0.windowLayer == 0 && $0.frame.width >= 80 && $0.owningApplication?.bundleIdentifier != own }
      .map { window in
        SourceInfo(
          kind: "window", id: String(window.windowID),
          name: window.title.flatMap { $0.isEmpty ? nil : $0 } ?? window.owningApplication?.applicationName ?? "Window",
          width: Int(window.frame.width), height: Int(window.frame.height),
          appName: window.owningApplication?.applicationName, bundleId: window.owningApplication?.bundleIdentifier)
      }
    let cameras = AVCaptureDevice.DiscoverySession(
      deviceTypes: [.builtInWideAngleCamera, .external, .continuityCamera], mediaType: .video, position: .unspecified
    ).devices
    out += cameras.map { SourceInfo(kind: "camera", id: $0.uniqueID, name: $0.localizedName) }
    let microphones = AVCaptureDevice.DiscoverySession(deviceTypes: [.microphone, .external], mediaType: .audio, position: .unspecified).devices
    out += microphones.map { SourceInfo(kind: "microphone", id: $0.uniqueID, name: $0.localizedName) }
    return out
  }

  // MARK: Assembly

  private func configure(_ state: inout Active, content: SCShareableContent) async throws {
    let config = state.config
    let sessionID = config.sessionId
    let notify = self.notify
    let ledger = state.ledger
    if config.audio.microphone || config.audio.systemAudio {
      state.audio = try AudioCapture(
        sessionID: sessionID, directory: state.directory, configuration: config.audio, ledger: ledger, notify: notify)
    }
    if config.video.enabled {
      let sizes = try config.sources.map { try sourceSize($0, content: content, config: config) }
      let quality: VideoQuality = config.video.fps >= 60 ? .high : config.video.fps <= 15 ? .low : .standard
      let canvas = LayoutMath.canvasSize(for: sizes, layout: config.layout, maxEdge: quality.maxEdge)
      let logger = self.logger
      let writer = SegmentedVideoWriter(
        directory: state.directory, size: canvas, fps: config.video.fps, quality: quality,
        segmentSeconds: config.video.segmentSeconds, ledger: ledger
      ) { segment in
        // Runs in the ledger once the file is complete; the ledger waits for the reply.
        let digest: FileDigest
        do { digest = try FileDigest.compute(segment.url) } catch {
          logger.error("video segment \(segment.index) unreadable: \(error.localizedDescription, privacy: .public)")
          return
        }
        await notify(
          .video(
            VideoSegmentCaptured(
              sessionId: sessionID, sequence: segment.index, path: segment.url.path, sha256: digest.sha256, size: digest.size,
              durationMs: segment.durationMs, startedAt: segment.startedAt, width: segment.width, height: segment.height,
              fps: segment.fps)))
      }
      state.video = VideoPipeline(canvas: canvas, layout: config.layout, fps: config.video.fps, writer: writer)
    }
    // System audio rides on the first screen stream when there is one.
    state.audioStreamID = config.audio.systemAudio ? config.sources.first { $0.kind != .camera }?.id : nil
    for source in config.sources {
      try await attach(source, to: &state, content: content, start: false)
    }
    if config.screenshots.enabled, !state.filters.isEmpty {
      state.screenshots = ScreenshotCapturer(
        sessionID: sessionID, directory: state.directory, intervalMs: config.screenshots.intervalMs,
        targets: Array(state.filters.values), notify: notify)
    }
  }

  private func sourceSize(_ source: RecorderConfiguration.Source, content: SCShareableContent, config: RecorderConfiguration) throws -> PixelSize {
    if source.kind == .camera {
      guard let device = AVCaptureDevice(uniqueID: source.id) else { throw CameraCaptureSource.CameraError.notFound(source.id) }
      let dimensions = CMVideoFormatDescriptionGetDimensions(device.activeFormat.formatDescription)
      return PixelSize(width: Double(dimensions.width), height: Double(dimensions.height))
    }
    return try ContentFilterBuilder.filter(
      for: source, content: content, excludedBundleIDs: config.excludedBundleIds, excludedWindowIDs: config.excludedWindowIds
    ).size
  }

  private func attach(_ source: RecorderConfiguration.Source, to state: inout Active, content: SCShareableContent, start: Bool) async throws {
    let config = state.config
    let video = state.video
    if source.kind == .camera {
      guard let video else { return }
      let sourceID = source.id
      let camera = try CameraCaptureSource(sourceID: sourceID, queue: video.queue) { [weak video] buffer in
        video?.ingestCamera(buffer, sourceID: sourceID)
      }
      video.addSource(source.id, size: camera.size)
      state.camera = camera
      if start { camera.start() }
      return
    }
    let built = try ContentFilterBuilder.filter(
      for: source, content: content, excludedBundleIDs: config.excludedBundleIds, excludedWindowIDs: config.excludedWindowIds)
    state.filters[source.id] = ScreenshotCapturer.Target(sourceID: source.id, filter: SharedContentFilter(built.filter), size: built.size)
    let capturesAudio = state.audioStreamID == source.id
    guard video != nil || capturesAudio else { return }
    // Audio-only still needs a screen output on the stream (SCStream drops audio without
    // one), so it gets a 1 fps video stream whose frames go nowhere.
    let audio = state.audio
    let logger = self.logger
    let ledger = state.ledger
    let notify = self.notify
    let sessionID = config.sessionId
    let sourceID = source.id
    let screen = try ScreenCaptureSource(
      sourceID: source.id, filter: built.filter, size: built.size, fps: video == nil ? 1 : config.video.fps,
      capturesAudio: capturesAudio, videoQueue: video?.queue ?? DispatchQueue(label: "app.stint.idle-video"),
      audioQueue: audio?.queue ?? DispatchQueue(label: "app.stint.idle-audio"),
      handlers: .init(
        frame: { [weak video] buffer, status in video?.ingestScreen(buffer, status: status, sourceID: sourceID) },
        audio: capturesAudio ? { [weak audio] buffer in audio?.ingestSystemAudio(buffer) } : nil,
        stopped: { error in
          logger.error("source \(sourceID, privacy: .public) stopped: \(error.localizedDescription, privacy: .public)")
          // A revoked Screen Recording permission stops the stream with userDeclined: the
          // engine marks the services that need it (polling CGPreflight would lie here).
          guard (error as? SCStreamError)?.code == .userDeclined else { return }
          let sample = CaptureHealthSample(
            sessionId: sessionID, at: Date().epochMilliseconds, signal: .permission(.screen, state: "denied"))
          ledger.track { await notify(.health(sample)) }
        }
      ))
    video?.addSource(source.id, size: built.size)
    state.screens[source.id] = screen
    if start { try await screen.start() }
  }

  private func startAll() async throws {
    guard let active else { return }
    active.video?.start()
    for screen in active.screens.values { try await screen.start() }
    active.camera?.start()
    active.audio?.start()
    await active.screenshots?.start()
    self.active?.health = Task { [weak self] in
      while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(5))
        await self?.sampleHealth()
      }
    }
  }

  /// Real signals: frames SCStream delivered vs. dropped by the encoder, how full the
  /// capture buffer pool ran, and the disk the capture folder lives on.
  private func sampleHealth() async {
    guard let active else { return }
    let sessionID = active.config.sessionId
    let now = Date().epochMilliseconds
    if let video = active.video {
      let health = await video.takeHealth()
      if health.dropped > 0 {
        await notify(.health(.init(sessionId: sessionID, at: now, signal: .drops(service: .video, dropped: health.dropped, reason: "encoder busy"))))
      }
      let monotonic = ContinuousClock.now - healthEpoch
      if healthThrottle.shouldSend("video.buffer", now: monotonic.timeInterval, urgent: health.bufferFill >= 0.9) {
        await notify(.health(.init(sessionId: sessionID, at: now, signal: .buffer(service: .video, fill: health.bufferFill))))
      }
    }
    if let values = try? active.directory.resourceValues(forKeys: [.volumeAvailableCapacityForImportantUsageKey, .volumeTotalCapacityKey]),
      let free = values.volumeAvailableCapacityForImportantUsage
    {
      await notify(.health(.init(sessionId: sessionID, at: now, signal: .disk(freeBytes: free, totalBytes: values.volumeTotalCapacity.map(Int64.init)))))
    }
  }

  /// The stop barrier: sources first (no new frames), then each writer closes its file
  /// into the ledger, then the ledger drains (files finished, hashed, reported, answered).
  private func tearDown() async {
    guard let state = active else { return }
    state.health?.cancel()
    await state.screenshots?.stop()
    for screen in state.screens.values { await screen.stop() }
    state.camera?.stop()
    await state.video?.stop()
    await state.audio?.stop()
    await state.ledger.waitForAll()
    active = nil
    logger.info("recording \(state.config.sessionId, privacy: .public) stopped; every file reported")
  }
}

import CoreGraphics
import Foundation
import OSLog
import ScreenCaptureKit
import StintCore

/// Screenshots on the interval through SCScreenshotManager, one per screen source, with the
/// same content filter as the video (excluded apps are never in a screenshot). Each file is
/// hashed from the bytes before they are written and reported with its dHash.
actor ScreenshotCapturer {
  struct Target: Sendable {
    var sourceID: String
    var filter: SharedContentFilter
    var size: PixelSize
  }

  private let sessionID: String
  private let directory: URL
  private let interval: Duration
  private let notify: @Sendable (RecordingNotification) async -> Void
  private var targets: [Target]
  private var sequence = 0
  private var paused = false
  private var loop: Task<Void, Never>?
  private(set) var failures = 0
  private let logger = Logger(subsystem: "app.stint", category: "screenshots")

  init(
    sessionID: String, directory: URL, intervalMs: Int, targets: [Target],
    notify: @escaping @Sendable (RecordingNotification) async -> Void
  ) {
    self.sessionID = sessionID
    self.directory = directory
    self.interval = .milliseconds(max(250, intervalMs))
    self.targets = targets
    self.notify = notify
  }

  func start() {
    loop = Task { [weak self] in
      // The first screenshot at once: a session always opens with what was on screen.
      while !Task.isCancelled {
        await self?.captureAll()
        guard let interval = await self?.interval else { return }
        try? await Task.sleep(for: interval, tolerance: .milliseconds(50))
      }
    }
  }

  func setPaused(_ value: Bool) { paused = value }
  func setTargets(_ value: [Target]) { targets = value }

  /// Ends the loop and waits for a capture in flight: its file is written and reported
  /// (and the engine has answered) when this returns.
  func stop() async {
    guard let loop else { return }
    self.loop = nil
    loop.cancel()
    await loop.value
  }

  private func captureAll() async {
    guard !paused else { return }
    for target in targets {
      do {
        try await capture(target)
      } catch is CancellationError {
        return
      } catch {
        failures += 1
        logger.error("screenshot of \(target.sourceID, privacy: .public) failed: \(error.localizedDescription, privacy: .public)")
        await notify(
          .health(
            CaptureHealthSample(
              sessionId: sessionID, at: Date().epochMilliseconds,
              signal: .writeFailed(service: .screenshots, code: (error as? HostError)?.code ?? "EIO", message: error.localizedDescription))))
      }
    }
  }

  private func capture(_ target: Target) async throws {
    let configuration = SCStreamConfiguration()
    configuration.width = Int(target.size.width)
    configuration.height = Int(target.size.height)
    configuration.showsCursor = false
    configuration.colorSpaceName = CGColorSpace.sRGB
    let capturedAt = Date().epochMilliseconds
    let image = try await SCScreenshotManager.captureImage(contentFilter: target.filter.filter, configuration: configuration)

    let data = try ImageAnalysis.pngData(image)
    let hash = try ImageAnalysis.differenceHash(of: image)
    let url = directory.appendingPathComponent(SegmentClock.fileName(prefix: "shot", index: sequence, ext: "png"))
    let digest = FileDigest.of(data, at: url)
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw HostError.file(error, path: url.lastPathComponent)
    }
    let item = ScreenshotCaptured(
      sessionId: sessionID, sequence: sequence, path: url.path, sha256: digest.sha256, size: digest.size,
      width: image.width, height: image.height, capturedAt: capturedAt, mimeType: "image/png",
      sourceId: target.sourceID, perceptualHash: DifferenceHash.hex(hash))
    sequence += 1
    await notify(.screenshot(item))
  }
}

/// An `SCContentFilter` shared between the recorder and the screenshot loop. The filter is
/// not annotated Sendable, but Stint never mutates one after building it (its one settable
/// property, `includeMenuBar`, is left alone), and ScreenCaptureKit only reads it.
final class SharedContentFilter: @unchecked Sendable {
  let filter: SCContentFilter

  init(_ filter: SCContentFilter) { self.filter = filter }
}


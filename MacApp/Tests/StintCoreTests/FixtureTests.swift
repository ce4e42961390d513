import Foundation
import Testing

@testable import StintCore

/// The shell's params, byte-for-byte the JSON in `Fixtures/`. The same fixtures are parsed
/// with the engine's strict zod schemas by `Scripts/swift-check/fixtures.test.ts` on every
/// `npm test`, so a field the engine renames breaks one side or the other, never neither.
@Suite("Wire fixtures shared with the engine's schemas")
struct FixtureTests {
  static let sessionID = "0b6f1f9e-4a53-4c8e-9d7a-2f4e1c3b5a69"
  static let digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
  static let folder = "/Users/me/Library/Application Support/Stint/capture/0b6f1f9e-4a53-4c8e-9d7a-2f4e1c3b5a69"

  private func fixture(_ name: String) throws -> JSONValue {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).json")
    return try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
  }

  @Test("session.start params from settings")
  func sessionStart() throws {
    var settings = StintSettings()
    settings.layout = .grid
    let request = settings.captureRequest(
      resolvedSources: [SourceSelection(kind: .display, id: "1"), SourceSelection(kind: .window, id: "42")],
      lowDiskBytes: 2_147_483_648)
    #expect(request == (try fixture("session-start")))
  }

  @Test("recording.screenshot params")
  func screenshot() throws {
    let item = ScreenshotCaptured(
      sessionId: Self.sessionID, sequence: 3, path: "\(Self.folder)/shot-0003.png", sha256: Self.digest, size: 183_422,
      width: 2880, height: 1800, capturedAt: 1_700_000_000_123, mimeType: "image/png", sourceId: "1",
      perceptualHash: "00ff00ff00ff00ff")
    #expect(try RecordingNotification.screenshot(item).message().params == (try fixture("recording-screenshot")))
  }

  @Test("recording.audio params")
  func audio() throws {
    let item = AudioSegmentCaptured(
      sessionId: Self.sessionID, sequence: 0, path: "\(Self.folder)/audio-0000.wav", sha256: Self.digest, size: 5_760_044,
      durationMs: 30_000, startedAt: 1_700_000_000_000, sampleRate: 48_000, channels: 2, peak: 0.25, source: .mixed)
    #expect(try RecordingNotification.audio(item).message().params == (try fixture("recording-audio")))
  }

  @Test("recording.video params")
  func video() throws {
    let item = VideoSegmentCaptured(
      sessionId: Self.sessionID, sequence: 1, path: "\(Self.folder)/video-0001.mp4", sha256: Self.digest, size: 2_480_000,
      durationMs: 10_000, startedAt: 1_700_000_010_000, width: 1920, height: 1200, fps: 30)
    #expect(try RecordingNotification.video(item).message().params == (try fixture("recording-video")))
  }

  @Test("recording.health params, one per kind")
  func health() throws {
    let at: Int64 = 1_700_000_000_000
    let signals: [CaptureHealthSample.Signal] = [
      .level(peak: 0),
      .drops(service: .video, dropped: 3, reason: "encoder busy"),
      .disk(freeBytes: 1_000_000, totalBytes: 500_000_000_000),
      .permission(.screen, state: "denied"),
      .writeFailed(service: .audio, code: "ENOSPC", message: "disk full"),
      .buffer(service: .audio, fill: 0.92),
    ]
    let encoded = try signals.map {
      try RecordingNotification.health(CaptureHealthSample(sessionId: Self.sessionID, at: at, signal: $0)).message().params ?? .null
    }
    #expect(JSONValue.array(encoded) == (try fixture("recording-health")))
  }

  @Test("enrichment options")
  func enrichmentOptions() throws {
    var settings = StintSettings()
    settings.provider = .anthropic
    #expect(settings.enrichmentOptions() == (try fixture("enrichment-options")))
  }

  @Test("settings.update params")
  func settingsUpdate() throws {
    var settings = StintSettings()
    settings.provider = .anthropic
    let params = settings.engineSettingsParams()
    let expected = try fixture("settings-update")
    #expect(params["enrichment"] == expected["enrichment"])
    // A whole-dollar budget decodes from the fixture as .int; on the wire both are the number 10.
    #expect(params["monthlyBudgetUsd"]?.doubleValue == expected["monthlyBudgetUsd"]?.doubleValue)
    #expect(params.objectValue?.keys.sorted() == expected.objectValue?.keys.sorted())
    #expect(params["retentionDays"] == .null)
    settings.monthlyBudget = 0
    settings.retentionDays = 30
    #expect(settings.engineSettingsParams()["monthlyBudgetUsd"] == .null)
    #expect(settings.engineSettingsParams()["retentionDays"] == .int(30))
  }
}

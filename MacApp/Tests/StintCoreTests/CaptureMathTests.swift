import Foundation
import Testing

@testable import StintCore

@Suite("AudioMixer on the output clock")
struct AudioMixerTests {
  /// Mono, unity gains (balance 0.5), 10 frames of latency, 2 of jitter tolerance.
  private func mixer(microphone: Bool = true, system: Bool = true, capacity: Int = 1000, channels: Int = 1) -> AudioMixer {
    AudioMixer(
      channels: channels, capacityFrames: capacity, latencyFrames: 10, toleranceFrames: 2,
      balance: AudioBalance(balance: 0.5), microphone: microphone, system: system)
  }

  @Test("the microphone is written while ScreenCaptureKit sends no system audio")
  func silentSystem() {
    var mixer = mixer()
    mixer.push([Float](repeating: 0.5, count: 100), to: .microphone, atFrame: 0)
    let out = mixer.pull(clockFrame: 110)
    #expect(out == [Float](repeating: 0.5, count: 100))
    #expect(mixer.statistics.paddedFrames[.system] == 100)
    #expect(mixer.statistics.paddedFrames[.microphone] == nil)
    #expect(mixer.emittedFrames == 100)
  }

  @Test("system audio that arrives within the latency lands at its timestamp")
  func placedByTimestamp() {
    var mixer = mixer()
    mixer.push([Float](repeating: 0.25, count: 100), to: .microphone, atFrame: 0)
    mixer.push([Float](repeating: 0.5, count: 50), to: .system, atFrame: 30)
    let out = mixer.pull(clockFrame: 110)
    let expected = [Float](repeating: 0.25, count: 30) + [Float](repeating: 0.75, count: 50) + [Float](repeating: 0.25, count: 20)
    #expect(out == expected)
  }

  @Test("a buffer later than the latency is counted and never shifts what follows")
  func lateBuffer() {
    var mixer = mixer()
    let silence = mixer.pull(clockFrame: 60)
    #expect(silence == [Float](repeating: 0, count: 50))
    mixer.push([Float](repeating: 1, count: 20), to: .system, atFrame: 40)
    let out = mixer.pull(clockFrame: 80)
    #expect(out == [Float](repeating: 1, count: 10) + [Float](repeating: 0, count: 10))
    #expect(mixer.statistics.lateFrames == 10)
  }

  @Test("timestamp jitter within tolerance is contiguous; a real gap is silence in place")
  func jitterAndGaps() {
    var mixer = mixer(system: false)
    mixer.push([Float](repeating: 0.1, count: 10), to: .microphone, atFrame: 0)
    mixer.push([Float](repeating: 0.2, count: 10), to: .microphone, atFrame: 11)
    mixer.push([Float](repeating: 0.3, count: 10), to: .microphone, atFrame: 30)
    let out = mixer.flush(clockFrame: 40)
    let expected =
      [Float](repeating: 0.1, count: 10) + [Float](repeating: 0.2, count: 10) + [Float](repeating: 0, count: 10)
      + [Float](repeating: 0.3, count: 10)
    #expect(out == expected)
    #expect(mixer.statistics.lateFrames == 0)
  }

  @Test("a pause skips its span: nothing buffered for it is written")
  func skip() {
    var mixer = mixer(system: false)
    mixer.push([Float](repeating: 0.5, count: 20), to: .microphone, atFrame: 0)
    let before = mixer.pull(clockFrame: 20)
    #expect(before.count == 10)
    mixer.skip(to: 100)
    mixer.push([Float](repeating: 0.25, count: 10), to: .microphone, atFrame: 100)
    let after = mixer.flush(clockFrame: 110)
    #expect(after == [Float](repeating: 0.25, count: 10))
    #expect(mixer.emittedFrames == 110)
  }

  @Test("two loud inputs clip instead of wrapping; off-centre balance fades one side")
  func gainsAndClipping() {
    var loud = mixer()
    loud.push([0.75, -0.75], to: .microphone, atFrame: 0)
    loud.push([0.75, -0.75], to: .system, atFrame: 0)
    let clipped = loud.flush(clockFrame: 2)
    #expect(clipped == [1, -1])

    var faded = AudioMixer(
      channels: 1, capacityFrames: 10, latencyFrames: 0, toleranceFrames: 0, balance: AudioBalance(balance: 0.25),
      microphone: true, system: true)
    faded.push([0.5], to: .microphone, atFrame: 0)
    faded.push([0.5], to: .system, atFrame: 0)
    let mixed = faded.pull(clockFrame: 1)
    #expect(mixed == [0.75])
  }

  @Test("a full input buffer drops its oldest frames and reports fill")
  func overflow() {
    var mixer = mixer(system: false, capacity: 10, channels: 2)
    mixer.push([Float](repeating: 1, count: 24), to: .microphone, atFrame: 0)
    #expect(mixer.statistics.overflowedFrames == 2)
    #expect(mixer.fill == 1)
    let out = mixer.flush(clockFrame: 0)
    // The two oldest frames were dropped, so output starts with their silence.
    #expect(out == [0, 0, 0, 0] + [Float](repeating: 1, count: 20))
  }
}

@Suite("HealthThrottle")
struct HealthThrottleTests {
  @Test("a steady condition is sent once per interval; turning urgent is sent at once")
  func pacing() {
    var throttle = HealthThrottle(interval: 10, urgentInterval: 2)
    let first = throttle.shouldSend("audio.buffer", now: 0)
    let soon = throttle.shouldSend("audio.buffer", now: 5)
    let later = throttle.shouldSend("audio.buffer", now: 10)
    let urgent = throttle.shouldSend("audio.buffer", now: 10.5, urgent: true)
    let urgentSoon = throttle.shouldSend("audio.buffer", now: 11, urgent: true)
    let urgentLater = throttle.shouldSend("audio.buffer", now: 12.5, urgent: true)
    let otherKey = throttle.shouldSend("video.buffer", now: 12.5)
    let calm = throttle.shouldSend("audio.buffer", now: 13)
    #expect([first, soon, later, urgent, urgentSoon, urgentLater, otherKey, calm] == [true, false, true, true, false, true, true, false])
  }

  @Test("a pump every 100 ms with a full buffer sends one sample per urgent interval")
  func pump() {
    var throttle = HealthThrottle(interval: 10, urgentInterval: 2)
    var sent = 0
    for tick in 0..<600 where throttle.shouldSend("audio.buffer", now: Double(tick) / 10, urgent: true) { sent += 1 }
    #expect(sent == 30)
  }
}

@Suite("FrameSynchronizer idle frames")
struct IdleFrameTests {
  @Test("an idle stream holds its last frame without holding up the tick")
  func idleHolds() {
    var sync = FrameSynchronizer<Int>(fps: 10)
    let a = sync.addStream()
    let b = sync.addStream()
    sync.start(at: .zero)
    let onlyA = sync.push(1, stream: a, at: .zero)
    #expect(onlyA.isEmpty)
    let both = sync.push(2, stream: b, at: .zero)
    #expect(both.count == 1)
    let waiting = sync.push(3, stream: a, at: .milliseconds(100))
    #expect(waiting.isEmpty, "without the idle mark the tick waits for stream b")
    let decided = sync.markIdle(stream: b, at: .milliseconds(100))
    #expect(decided.count == 1)
    #expect(decided.first?.slots.map { $0.slot.frame } == [3, 2])
    #expect(decided.first?.slots.last?.slot.isAligned == false)
  }
}

@Suite("RecordingBudget")
struct RecordingBudgetTests {
  @Test("audio is the WAV the recorder writes: 48 kHz, 16-bit, stereo, a header per segment")
  func audio() {
    var settings = StintSettings()
    settings.videoEnabled = false
    settings.screenshotsEnabled = false
    settings.audioSegmentSeconds = 30
    let budget = RecordingBudget(settings: settings, screens: [])
    #expect(budget.audioBytesPerHour == Double(48_000 * 2 * 2 * 3600 + (3600 / 30) * 44))
    #expect(budget.videoBytesPerHour == 0 && budget.screenshotBytesPerHour == 0)
  }

  @Test("video is the encoder's bit rate for the canvas the recorder would use")
  func video() {
    var settings = StintSettings()
    settings.screenshotsEnabled = false
    settings.microphoneEnabled = false
    settings.systemAudioEnabled = false
    settings.videoQuality = .standard
    let display = PixelSize(width: 3840, height: 2160)
    let budget = RecordingBudget(settings: settings, screens: [display])
    let canvas = LayoutMath.canvasSize(for: [display], layout: .passthrough, maxEdge: VideoQuality.standard.maxEdge)
    #expect(canvas == PixelSize(width: 1920, height: 1080))
    #expect(budget.videoBytesPerHour == Double(VideoQuality.standard.bitRate(forPixels: 1920 * 1080)) / 8 * 3600)
    let high = { var s = settings; s.videoQuality = .high; return RecordingBudget(settings: s, screens: [display]) }()
    #expect(high.videoBytesPerHour > budget.videoBytesPerHour)
  }

  @Test("screenshots scale with the interval and only count screens")
  func screenshots() {
    var settings = StintSettings()
    settings.videoEnabled = false
    settings.microphoneEnabled = false
    settings.systemAudioEnabled = false
    settings.screenshotIntervalSeconds = 5
    let screen = PixelSize(width: 2880, height: 1800)
    let every5 = RecordingBudget(settings: settings, screens: [screen], cameras: [PixelSize(width: 1920, height: 1080)])
    #expect(every5.screenshotBytesPerHour == 2880 * 1800 * RecordingBudget.pngBytesPerPixel * 720)
    settings.screenshotIntervalSeconds = 10
    let every10 = RecordingBudget(settings: settings, screens: [screen])
    #expect(every10.screenshotBytesPerHour * 2 == every5.screenshotBytesPerHour)
  }

  @Test("the low-disk alarm keeps an hour of this recording, never less than 1 GiB")
  func lowDisk() {
    let nothing = RecordingBudget(videoBytesPerHour: 0, screenshotBytesPerHour: 0, audioBytesPerHour: 0)
    #expect(nothing.lowDiskBytes() == 1 << 30)
    #expect(nothing.hoursLeft(freeBytes: 1 << 40) == nil)
    let heavy = RecordingBudget(videoBytesPerHour: 3e9, screenshotBytesPerHour: 1e9, audioBytesPerHour: 7e8)
    #expect(heavy.megabytesPerHour == 4700)
    #expect(heavy.lowDiskBytes() == 4_700_000_000)
    #expect(heavy.lowDiskBytes(hours: 2) == 9_400_000_000)
    #expect(heavy.hoursLeft(freeBytes: 9_400_000_000) == 2)
  }
}

@Suite("dHash vectors shared with the engine")
struct DifferenceHashVectorTests {
  struct Vector: Decodable {
    var name: String
    var width: Int
    var height: Int
    var rgba: String
    var hash: String
  }

  @Test("StintCore hashes RGBA exactly as engine/src/image/dhash.ts does")
  func vectors() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/dhash-vectors.json")
    let vectors = try JSONDecoder().decode([Vector].self, from: Data(contentsOf: url))
    #expect(vectors.count >= 4)
    for vector in vectors {
      let bytes = try #require(Data(base64Encoded: vector.rgba))
      let hash = try [UInt8](bytes).withUnsafeBufferPointer { pixels in
        try DifferenceHash.hash(rgba: pixels, width: vector.width, height: vector.height, bytesPerRow: vector.width * 4)
      }
      #expect(DifferenceHash.hex(hash) == vector.hash, "\(vector.name)")
    }
  }

  @Test("padded rows and bad geometry")
  func geometry() throws {
    // The 5×3 vector with each row padded to 24 bytes hashes the same as unpadded.
    let rows: [[UInt8]] = (0..<3).map { y in (0..<5).flatMap { x in [UInt8(x * 50), UInt8(y * 80), UInt8(200 - x * 30), 255] } }
    let tight = rows.flatMap { $0 }
    let padded = rows.flatMap { $0 + [7, 7, 7, 7] }
    let a = try tight.withUnsafeBufferPointer { try DifferenceHash.hash(rgba: $0, width: 5, height: 3, bytesPerRow: 20) }
    let b = try padded.withUnsafeBufferPointer { try DifferenceHash.hash(rgba: $0, width: 5, height: 3, bytesPerRow: 24) }
    #expect(a == b)
    #expect(throws: DifferenceHash.HashError.badGeometry) {
      try tight.withUnsafeBufferPointer { try DifferenceHash.hash(rgba: $0, width: 6, height: 3, bytesPerRow: 20) }
    }
  }
}

@Suite("InterruptionTracker")
struct InterruptionTrackerTests {
  @Test("a lid close (lock, then sleep) pauses once and resumes when both have cleared")
  func overlapping() {
    var tracker = InterruptionTracker()
    let lock = tracker.begin(.screenLock, recording: true)
    let sleep = tracker.begin(.sleep, recording: false)
    let wake = tracker.end(.sleep, policy: .resume)
    let unlock = tracker.end(.screenLock, policy: .resume)
    #expect(lock == .pause(.screenLock))
    #expect(sleep == InterruptionTracker.Action.none)
    #expect(wake == InterruptionTracker.Action.none)
    #expect(unlock == .resume(after: [.screenLock, .sleep]))
    #expect(tracker.active.isEmpty && !tracker.pausedByUs)
  }

  @Test("the user's choice to end applies when the last interruption clears")
  func endPolicy() {
    var tracker = InterruptionTracker()
    let pause = tracker.begin(.displayChange, recording: true)
    let done = tracker.end(.displayChange, policy: .end)
    #expect(pause == .pause(.displayChange))
    #expect(done == .end(after: [.displayChange]))
  }

  @Test("a session the user paused stays paused; one the user resumed meanwhile is left alone")
  func userPauses() {
    var tracker = InterruptionTracker()
    let alreadyPaused = tracker.begin(.sleep, recording: false)
    let wake = tracker.end(.sleep, policy: .resume)
    #expect(alreadyPaused == InterruptionTracker.Action.none)
    #expect(wake == InterruptionTracker.Action.none)

    let pause = tracker.begin(.screenLock, recording: true)
    tracker.forget()
    let unlock = tracker.end(.screenLock, policy: .resume)
    #expect(pause == .pause(.screenLock))
    #expect(unlock == InterruptionTracker.Action.none)
  }
}

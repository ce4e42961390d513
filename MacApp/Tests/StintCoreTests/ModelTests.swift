import Foundation
import Testing

@testable import StintCore

@Suite("Hotkeys")
struct HotkeyTests {
  @Test("defaults are valid and clash with nothing")
  func defaults() throws {
    for combo in HotkeyBindings.defaults.combos.values { try combo.validate() }
    #expect(HotkeyBindings.defaults.clashes(system: []).isEmpty)
  }

  @Test("a shortcut used twice is reported for both actions")
  func ownClash() {
    var bindings = HotkeyBindings.defaults
    let combo = bindings[.toggleRecording]!
    let clashes = bindings.set(combo, for: .addMarker)
    #expect(clashes == [HotkeyClash(action: .addMarker, combo: combo, owner: .stint(.toggleRecording))])
    #expect(bindings.clashes(system: []).count == 2)
  }

  @Test("a system shortcut is a clash, not silently ignored")
  func systemClash() {
    let spotlight = KeyCombo(keyCode: 0x31, modifiers: [.command])
    var bindings = HotkeyBindings.defaults
    let clashes = bindings.set(spotlight, for: .openReview, system: [spotlight])
    #expect(clashes.map(\.owner) == [.system])
    #expect(clashes[0].description.contains("macOS shortcut"))
  }

  @Test("a plain letter is refused; a bare function key is fine")
  func validation() {
    #expect(throws: KeyCombo.ValidationError.needsModifier) { try KeyCombo(keyCode: VirtualKey.r, modifiers: [.shift]).validate() }
    #expect(throws: Never.self) { try KeyCombo(keyCode: 0x69, modifiers: []).validate() }
    #expect(throws: KeyCombo.ValidationError.unknownKey(0xFF)) { try KeyCombo(keyCode: 0xFF, modifiers: [.command]).validate() }
    #expect(KeyCombo(keyCode: VirtualKey.r, modifiers: [.command, .control, .option]).description == "⌃⌥⌘R")
  }

  @Test("bindings encode as an object keyed by action")
  func codable() throws {
    let data = try JSONEncoder().encode(HotkeyBindings.defaults)
    #expect(String(decoding: data, as: UTF8.self).contains("\"toggleRecording\""))
    #expect(try JSONDecoder().decode(HotkeyBindings.self, from: data) == .defaults)
  }
}

@Suite("Settings")
struct SettingsTests {
  @Test("defaults have no issues and exclude password managers")
  func defaults() {
    let settings = StintSettings()
    #expect(settings.issues().isEmpty)
    #expect(settings.excludedBundleIDs.contains("com.1password.1password"))
    #expect(settings.provider == .local)
  }

  @Test("out-of-range values are reported by field")
  func issues() {
    var settings = StintSettings()
    settings.screenshotIntervalSeconds = 0
    settings.audioBalance = 1.5
    let fields = settings.issues().compactMap { issue -> String? in
      if case .outOfRange(let field, _, _) = issue { return field }
      return nil
    }
    #expect(fields == ["screenshotIntervalSeconds", "audioBalance"])
  }

  @Test("stored settings from an older version decode with new fields defaulted")
  func forwardCompatible() throws {
    let old = Data(#"{"provider":"anthropic","maxCostPerSession":2}"#.utf8)
    let settings = try StintSettings.decode(from: old)
    #expect(settings.provider == .anthropic)
    #expect(settings.maxCostPerSession == 2)
    #expect(settings.hotkeys == .defaults)
    #expect(try StintSettings.decode(from: settings.encoded()) == settings)
  }

  @Test("enrichment options carry the provider's models, and none for local")
  func enrichmentOptions() {
    var settings = StintSettings()
    #expect(settings.enrichmentOptions()["provider"] == "local")
    #expect(settings.enrichmentOptions()["summaryModel"] == nil)
    settings.provider = .openai
    let options = settings.enrichmentOptions()
    #expect(options["transcriptionModel"] == "gpt-4o-mini-transcribe")
    #expect(options["maxCost"] == .double(0.5))
  }

  @Test("the capture request matches the host port's RecorderConfig fields")
  func captureRequest() throws {
    var settings = StintSettings()
    settings.layout = .grid
    let one = settings.captureRequest(resolvedSources: [SourceSelection(kind: .display, id: "1")])
    #expect(one["layout"] == "single")
    let two = settings.captureRequest(resolvedSources: [
      SourceSelection(kind: .display, id: "1"), SourceSelection(kind: .window, id: "42"),
    ])
    #expect(two["layout"] == "grid")
    #expect(two["screenshots"]?["intervalMs"] == .int(5000))
    #expect(two["audio"]?["segmentMs"] == .int(30_000))
    var full = two.objectValue!
    full["sessionId"] = "s"
    full["captureDir"] = "/tmp/s"
    let config = try JSONValue.object(full).decode(RecorderConfiguration.self)
    #expect(config.sources.count == 2 && config.layout == .grid)
  }
}

@Suite("Audio and imaging math")
struct AudioAndImagingTests {
  @Test("balance: centre is unity for both, the ends mute one side")
  func balance() {
    #expect(AudioBalance(balance: 0.5) == AudioBalance(balance: 0.5))
    #expect(AudioBalance(balance: 0.5).microphoneGain == 1 && AudioBalance(balance: 0.5).systemGain == 1)
    #expect(AudioBalance(balance: 0).systemGain == 0 && AudioBalance(balance: 0).microphoneGain == 1)
    #expect(AudioBalance(balance: 1).microphoneGain == 0)
    #expect(AudioBalance(balance: 0.75).microphoneGain == 0.5)
  }

  @Test("silence is -160 dBFS, full scale is 0")
  func level() {
    #expect(AudioMixer.levelDb([0, 0, 0]) == -160)
    #expect(abs(AudioMixer.levelDb([1, -1, 1, -1])) < 1e-9)
  }

  @Test("dHash: gradient bits, hex width, Hamming distance")
  func dhash() throws {
    let falling = (0..<72).map { UInt8(255 - ($0 % 9) * 20) }
    #expect(try DifferenceHash.hash(grayscale9x8: falling) == UInt64.max)
    let rising = (0..<72).map { UInt8(($0 % 9) * 20) }
    #expect(try DifferenceHash.hash(grayscale9x8: rising) == 0)
    #expect(DifferenceHash.hex(0xff) == "00000000000000ff")
    #expect(DifferenceHash.hammingDistance(0b1011, 0b0001) == 2)
    #expect(throws: DifferenceHash.HashError.wrongSize(3)) { try DifferenceHash.hash(grayscale9x8: [1, 2, 3]) }
  }

  @Test("elapsed format and segment naming")
  func formats() {
    #expect(ElapsedFormat.string(milliseconds: 65_400) == "1:05")
    #expect(ElapsedFormat.string(milliseconds: 3_723_000) == "1:02:03")
    #expect(SegmentClock.fileName(prefix: "video", index: 7, ext: "mp4") == "video-0007.mp4")
  }

  @Test("segments are cut on media time, only where a cut is allowed")
  func segmentClock() {
    var clock = SegmentClock(segmentDuration: .seconds(10))
    // Mutating calls stay outside #expect: its expansion evaluates operands as immutable values.
    let first = clock.observe(.seconds(0))
    let within = clock.observe(.seconds(9.9))
    let held = clock.observe(.seconds(10.5), canCut: false)
    let cut = clock.observe(.seconds(10.6))
    #expect(first == .first(index: 0))
    #expect(within == .same)
    #expect(held == .same)
    #expect(cut == .next(index: 1))
  }
}

@Suite("TimerSchedule")
struct TimerScheduleTests {
  @Test("equal deadlines fire in call order; earlier deadlines first")
  func order() {
    var schedule = TimerSchedule()
    let a = schedule.add(deadline: 100)
    let b = schedule.add(deadline: 50)
    let c = schedule.add(deadline: 100)
    #expect(schedule.earliestDeadline == 50)
    let early = schedule.popDue(now: 49)
    #expect(early == nil)
    var fired: [Int] = []
    while let entry = schedule.popDue(now: 100) { fired.append(entry.id) }
    #expect(fired == [b, a, c])
  }

  @Test("cancelled and unknown ids are ignored")
  func cancel() {
    var schedule = TimerSchedule()
    let a = schedule.add(deadline: 10)
    let cancelled = schedule.cancel(a)
    let again = schedule.cancel(a)
    let unknown = schedule.cancel(999)
    let due = schedule.popDue(now: 1000)
    #expect(cancelled)
    #expect(!again)
    #expect(!unknown)
    #expect(due == nil)
  }
}

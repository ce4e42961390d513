import Testing

@testable import StintCore

/// Deterministic jitter in [-range, +range] ms, so failures replay exactly.
private struct Jitter {
  var state: UInt64

  mutating func next(range: Int64) -> MediaTime {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    let unit = Int64((state >> 33) % UInt64(2 * range * 1000 + 1)) - range * 1000
    return MediaTime(nanoseconds: unit * 1000)
  }
}

private func frameTime(_ n: Int64, fps: Int64, offset: MediaTime = .zero) -> MediaTime {
  MediaTime(nanoseconds: offset.nanoseconds + (n * 1_000_000_000) / fps)
}

@Suite("FrameSynchronizer")
struct FrameSynchronizerTests {
  @Test("frames of two jittery 60 fps streams are aligned within 16 ms")
  func alignedWithinTolerance() throws {
    var sync = FrameSynchronizer<Int>(fps: 60)
    let a = sync.addStream()
    let b = sync.addStream()
    sync.start(at: .zero)
    var jitter = Jitter(state: 7)
    var outputs: [FrameSynchronizer<Int>.Output] = []
    for n in Int64(0)..<600 {
      outputs += sync.push(Int(n), stream: a, at: frameTime(n, fps: 60) + jitter.next(range: 4) + .milliseconds(5))
      outputs += sync.push(Int(n), stream: b, at: frameTime(n, fps: 60) + jitter.next(range: 4) + .milliseconds(5))
    }
    #expect(outputs.count >= 598)
    for output in outputs {
      #expect(output.slots.count == 2)
      for (_, slot) in output.slots {
        let at = try #require(slot.timestamp)
        #expect(slot.isAligned)
        #expect(at.distance(to: output.time) <= .milliseconds(16))
      }
    }
    #expect(sync.statistics.worstAlignment <= .milliseconds(16))
    #expect(sync.statistics.missingSlots == 0)
  }

  @Test("a frame just outside the tolerance is held, not passed off as aligned")
  func outsideToleranceIsHeld() {
    var sync = FrameSynchronizer<String>(fps: 10)
    let s = sync.addStream()
    sync.start(at: .zero)
    var outputs = sync.push("first", stream: s, at: .zero)
    // Tick 1 is at 100 ms; the next frame comes at 130 ms, 30 ms late.
    outputs += sync.push("late", stream: s, at: .milliseconds(130))
    #expect(outputs.count == 2)
    #expect(outputs[0].slots[0].slot.isAligned)
    guard case .held(let frame, _) = outputs[1].slots[0].slot else {
      Issue.record("expected a held slot")
      return
    }
    #expect(frame == "first")
  }

  @Test("ten minutes at 60 fps: no drift, tick 36 000 lands exactly on 600 s")
  func noDriftOverTenMinutes() {
    var sync = FrameSynchronizer<Int64>(fps: 60)
    let s = sync.addStream()
    let origin = MediaTime.seconds(12.345)
    sync.start(at: origin)
    var jitter = Jitter(state: 99)
    var emitted: Int64 = 0
    var worst = MediaTime.zero
    var lastOfTenMinutes: FrameSynchronizer<Int64>.Output?
    for n in Int64(0)...36_000 {
      for output in sync.push(n, stream: s, at: origin + frameTime(n, fps: 60) + jitter.next(range: 3)) {
        #expect(output.tick == emitted, "ticks are consecutive")
        emitted += 1
        let slot = output.slots[0].slot
        #expect(slot.frame == output.tick, "tick \(output.tick) took frame \(String(describing: slot.frame))")
        worst = max(worst, slot.timestamp.map { $0.distance(to: output.time) } ?? .zero)
        if output.tick == 35_999 { lastOfTenMinutes = output }
      }
    }
    #expect(emitted >= 36_000)
    // The error at the end is the same as at the start: the source jitter, nothing accumulated.
    #expect(worst <= .milliseconds(3))
    #expect(sync.time(ofTick: 36_000) == origin + .seconds(600))
    #expect(lastOfTenMinutes?.time == origin + frameTime(35_999, fps: 60))
    #expect(lastOfTenMinutes?.slots[0].slot.isAligned == true)
    // A period rounded to whole milliseconds and summed would be 12 s late by now.
    let summed = (0..<36_000).reduce(Int64(0)) { sum, _ in sum + 17 }
    #expect(summed - 600_000 == 12_000)
    #expect(sync.statistics.heldSlots == 0)
  }

  @Test("four streams at 60, 30, 60 (offset) and 15 fps share every output")
  func fourStreams() {
    var sync = FrameSynchronizer<String>(fps: 60)
    let streams = (0..<4).map { _ in sync.addStream() }
    sync.start(at: .zero)
    let rates: [Int64] = [60, 30, 60, 15]
    let offsets: [MediaTime] = [.zero, .milliseconds(2), .milliseconds(8), .milliseconds(1)]
    var events: [(MediaTime, Int, String)] = []
    for (index, fps) in rates.enumerated() {
      for n in Int64(0)..<(fps * 10) {
        events.append((frameTime(n, fps: fps, offset: offsets[index]), index, "s\(index)#\(n)"))
      }
    }
    events.sort { $0.0 < $1.0 }
    var outputs: [FrameSynchronizer<String>.Output] = []
    for (time, index, name) in events {
      outputs += sync.push(name, stream: streams[index], at: time)
    }
    #expect(outputs.count >= 590)
    for output in outputs {
      #expect(output.slots.map { $0.stream } == streams)
      #expect(output.slots.allSatisfy { $0.slot.frame != nil })
      // The two 60 fps streams always have a frame within tolerance.
      #expect(output.slots[0].slot.isAligned)
      #expect(output.slots[2].slot.isAligned)
      for (_, slot) in output.slots where slot.isAligned {
        #expect(slot.timestamp!.distance(to: output.time) <= .milliseconds(16))
      }
    }
    // 15 fps cannot align with every 60 fps tick; it is held, never missing.
    #expect(sync.statistics.heldSlots > 0)
    #expect(sync.statistics.missingSlots == 0)
  }

  @Test("a stalled stream does not stop the output once the deadline passes")
  func stalledStream() {
    var sync = FrameSynchronizer<Int>(fps: 30)
    let live = sync.addStream()
    let stalled = sync.addStream()
    sync.start(at: .zero)
    _ = sync.push(0, stream: stalled, at: .zero)
    for n in Int64(0)..<30 { _ = sync.push(Int(n), stream: live, at: frameTime(n, fps: 30)) }
    #expect(sync.nextTick <= 1, "without a deadline the stalled stream holds the output")
    let outputs = sync.advance(to: .seconds(1))
    #expect(outputs.count >= 25)
    #expect(outputs.allSatisfy { $0.slots[1].slot.frame == 0 })
  }

  @Test("removing a source mid-recording drops its slot; adding one starts as missing")
  func addRemoveWhileRecording() {
    var sync = FrameSynchronizer<Int>(fps: 10)
    let a = sync.addStream()
    let b = sync.addStream()
    sync.start(at: .zero)
    _ = sync.push(1, stream: b, at: .zero)
    var out = sync.push(1, stream: a, at: .zero)
    #expect(out.first?.slots.count == 2)
    sync.removeStream(b)
    let c = sync.addStream()
    out = sync.advance(to: .milliseconds(250))
    #expect(out.first?.slots.map { $0.stream } == [a, c])
    if case .missing = out.first?.slots[1].slot {} else { Issue.record("new stream should be missing") }
  }

  @Test("out-of-order frames are counted and ignored")
  func outOfOrder() {
    var sync = FrameSynchronizer<Int>(fps: 10)
    let s = sync.addStream()
    _ = sync.push(1, stream: s, at: .milliseconds(50))
    _ = sync.push(2, stream: s, at: .milliseconds(40))
    #expect(sync.statistics.outOfOrderFrames == 1)
  }
}

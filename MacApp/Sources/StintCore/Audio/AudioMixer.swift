import Foundation

/// Mixes microphone and system audio onto one output clock.
///
/// Each input is placed on a shared frame timeline by its own timestamps (frame 0 is the
/// moment capture started), and the output is pulled up to a frame position the caller
/// derives from the host clock, `latencyFrames` behind it. Whatever an input has not
/// delivered for that span is silence: ScreenCaptureKit sends no system-audio buffers while
/// nothing plays, and a mixer that waited for both inputs would drop the microphone then.
///
/// Samples are interleaved Float32 at one sample rate and channel count; the app converts
/// with AVAudioConverter before pushing.
public struct AudioMixer: Sendable {
  public enum Input: Sendable, Hashable { case microphone, system }

  public struct Statistics: Sendable, Hashable {
    /// Frames that arrived for a span already written (input later than `latencyFrames`).
    public var lateFrames: Int64 = 0
    /// Frames dropped because an input's buffer was full (the pump stopped pulling).
    public var overflowedFrames: Int64 = 0
    /// Frames of silence written for an input that delivered nothing for that span.
    public var paddedFrames: [Input: Int64] = [:]
  }

  private struct Lane: Sendable {
    var active: Bool
    /// Timeline position of `samples[0]`; nil until the first push.
    var start: Int64?
    var samples: [Float] = []
  }

  public let channels: Int
  public let capacityFrames: Int
  /// How far behind the clock the output runs, so a late buffer still lands in time.
  public let latencyFrames: Int64
  /// A buffer that starts within this many frames of where its input left off is taken as
  /// contiguous: timestamps jitter by a few frames and a correction would click.
  public let toleranceFrames: Int64
  public var balance: AudioBalance
  public private(set) var statistics = Statistics()
  /// Timeline position of the next output frame.
  public private(set) var emittedFrames: Int64 = 0

  private var microphone: Lane
  private var system: Lane

  public init(
    channels: Int, capacityFrames: Int, latencyFrames: Int64, toleranceFrames: Int64, balance: AudioBalance,
    microphone: Bool, system: Bool
  ) {
    precondition(channels > 0 && capacityFrames > 0 && latencyFrames >= 0 && toleranceFrames >= 0)
    self.channels = channels
    self.capacityFrames = capacityFrames
    self.latencyFrames = latencyFrames
    self.toleranceFrames = toleranceFrames
    self.balance = balance
    self.microphone = Lane(active: microphone)
    self.system = Lane(active: system)
  }

  /// Fill of the fuller input buffer, in [0, 1]: near 1 means the pump is not keeping up.
  public var fill: Double {
    let frames = max(microphone.samples.count, system.samples.count) / channels
    return min(1, Double(frames) / Double(capacityFrames))
  }

  /// Places interleaved `samples` on the timeline at `frame`.
  public mutating func push(_ samples: [Float], to input: Input, atFrame frame: Int64) {
    precondition(samples.count % channels == 0, "samples must be whole frames")
    switch input {
    case .microphone: place(samples, at: frame, in: &microphone)
    case .system: place(samples, at: frame, in: &system)
    }
  }

  private mutating func place(_ samples: [Float], at frame: Int64, in lane: inout Lane) {
    guard lane.active, !samples.isEmpty else { return }
    var position = frame
    var incoming = samples[...]
    if let start = lane.start {
      let end = start + Int64(lane.samples.count / channels)
      if abs(position - end) <= toleranceFrames { position = end }
      if position > end, !lane.samples.isEmpty {
        // A real gap in the input (a dropped buffer): silence keeps later samples in place.
        lane.samples += [Float](repeating: 0, count: Int(position - end) * channels)
      } else if position < end {
        // Overlaps what is buffered: keep the earlier samples.
        let overlap = Int(min(Int64(incoming.count / channels), end - position))
        statistics.lateFrames += Int64(overlap)
        incoming = incoming.dropFirst(overlap * channels)
        position = end
      }
    } else {
      lane.start = max(position, emittedFrames)
    }
    if position < emittedFrames {
      let late = Int(min(Int64(incoming.count / channels), emittedFrames - position))
      statistics.lateFrames += Int64(late)
      incoming = incoming.dropFirst(late * channels)
      position = emittedFrames
    }
    if lane.samples.isEmpty { lane.start = position }
    lane.samples += incoming
    let limit = capacityFrames * channels
    if lane.samples.count > limit {
      let drop = lane.samples.count - limit
      statistics.overflowedFrames += Int64(drop / channels)
      lane.samples.removeFirst(drop)
      lane.start = (lane.start ?? 0) + Int64(drop / channels)
    }
  }

  /// Mixes every frame before `clockFrame - latencyFrames`; inputs that delivered nothing
  /// for part of that span contribute silence there.
  public mutating func pull(clockFrame: Int64) -> [Float] {
    mix(until: clockFrame - latencyFrames)
  }

  /// Mixes everything up to `clockFrame` without waiting for stragglers (pause and stop).
  public mutating func flush(clockFrame: Int64) -> [Float] {
    let buffered = [microphone, system].compactMap { lane in
      lane.start.map { $0 + Int64(lane.samples.count / channels) }
    }
    return mix(until: max(clockFrame, buffered.max() ?? clockFrame))
  }

  /// Moves the output to `frame` without writing the span before it (a pause), dropping
  /// anything buffered for that span.
  public mutating func skip(to frame: Int64) {
    guard frame > emittedFrames else { return }
    emittedFrames = frame
    for input in [Input.microphone, .system] {
      var lane = input == .microphone ? microphone : system
      if let start = lane.start {
        let consumed = Int(min(Int64(lane.samples.count / channels), max(0, frame - start)))
        lane.samples.removeFirst(consumed * channels)
        lane.start = max(start, frame)
      }
      if input == .microphone { microphone = lane } else { system = lane }
    }
  }

  private mutating func mix(until end: Int64) -> [Float] {
    let frames = end - emittedFrames
    guard frames > 0, microphone.active || system.active else { return [] }
    var out = [Float](repeating: 0, count: Int(frames) * channels)
    add(&microphone, input: .microphone, gain: balance.microphoneGain, into: &out)
    add(&system, input: .system, gain: balance.systemGain, into: &out)
    // Hard clip after summing: two full-scale inputs must not wrap when written as Int16.
    for i in out.indices { out[i] = max(-1, min(1, out[i])) }
    emittedFrames = end
    return out
  }

  private mutating func add(_ lane: inout Lane, input: Input, gain: Float, into out: inout [Float]) {
    guard lane.active else { return }
    let windowFrames = Int64(out.count / channels)
    let start = lane.start ?? emittedFrames
    let offset = max(0, start - emittedFrames)
    let available = Int64(lane.samples.count / channels)
    let used = max(0, min(available, windowFrames - offset))
    if used > 0 {
      let base = Int(offset) * channels
      for i in 0..<(Int(used) * channels) { out[base + i] += lane.samples[i] * gain }
      lane.samples.removeFirst(Int(used) * channels)
    }
    lane.start = max(start + used, emittedFrames + windowFrames)
    let padded = windowFrames - used
    if padded > 0 { statistics.paddedFrames[input, default: 0] += padded }
  }

  /// RMS level of `samples` in dBFS; -160 for digital silence.
  public static func levelDb(_ samples: [Float]) -> Double {
    guard !samples.isEmpty else { return -160 }
    let sum = samples.reduce(Float(0)) { $0 + $1 * $1 }
    let rms = Double((sum / Float(samples.count)).squareRoot())
    return rms > 0 ? max(-160, 20 * log10(rms)) : -160
  }
}

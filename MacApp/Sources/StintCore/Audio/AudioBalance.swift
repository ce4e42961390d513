import Foundation

/// Gains for the two inputs from the balance (0 = only microphone, 1 = only system audio).
///
/// The centre keeps both at unity, so the default mix is not 6 dB quieter than either
/// input alone; moving off centre fades one side linearly to silence at the end.
public struct AudioBalance: Sendable, Hashable {
  public var microphoneGain: Float
  public var systemGain: Float

  public init(balance: Double) {
    let b = Float(min(1, max(0, balance.isNaN ? 0.5 : balance)))
    microphoneGain = min(1, 2 * (1 - b))
    systemGain = min(1, 2 * b)
  }
}

/// Mixes microphone and system audio, which arrive on different queues and clocks, into
/// one interleaved stream. Each input has a FIFO of fixed capacity; `fill` is what the
/// health monitor watches (a warning at 90% means the writer is not keeping up).
///
/// Samples are interleaved Float32 at one sample rate and channel count; the app converts
/// with AVAudioConverter before pushing.
public struct AudioMixer: Sendable {
  public enum Input: Sendable { case microphone, system }

  public let channels: Int
  public let capacityFrames: Int
  public var balance: AudioBalance
  public private(set) var overflowedFrames = 0

  private var microphone: [Float] = []
  private var system: [Float] = []
  private let microphoneActive: Bool
  private let systemActive: Bool

  public init(channels: Int, capacityFrames: Int, balance: AudioBalance, microphone: Bool, system: Bool) {
    precondition(channels > 0 && capacityFrames > 0)
    self.channels = channels
    self.capacityFrames = capacityFrames
    self.balance = balance
    self.microphoneActive = microphone
    self.systemActive = system
  }

  /// Fill of the fuller FIFO, in [0, 1].
  public var fill: Double {
    let frames = max(microphone.count, system.count) / channels
    return Double(frames) / Double(capacityFrames)
  }

  /// Appends interleaved samples; if the FIFO is full the oldest are dropped and counted.
  public mutating func push(_ samples: [Float], to input: Input) {
    precondition(samples.count % channels == 0, "samples must be whole frames")
    let limit = capacityFrames * channels
    switch input {
    case .microphone:
      guard microphoneActive else { return }
      microphone += samples
      if microphone.count > limit {
        overflowedFrames += (microphone.count - limit) / channels
        microphone.removeFirst(microphone.count - limit)
      }
    case .system:
      guard systemActive else { return }
      system += samples
      if system.count > limit {
        overflowedFrames += (system.count - limit) / channels
        system.removeFirst(system.count - limit)
      }
    }
  }

  /// Mixes what both active inputs have in common. With `flush`, an input that lags (system
  /// audio delivers nothing while the Mac is silent) is padded with silence instead.
  public mutating func pull(flush: Bool = false) -> [Float] {
    let available: Int
    switch (microphoneActive, systemActive) {
    case (true, true):
      available = flush ? max(microphone.count, system.count) : min(microphone.count, system.count)
    case (true, false): available = microphone.count
    case (false, true): available = system.count
    case (false, false): available = 0
    }
    guard available > 0 else { return [] }
    var out = [Float](repeating: 0, count: available)
    let micGain = balance.microphoneGain
    let sysGain = balance.systemGain
    for i in 0..<available {
      let m = i < microphone.count ? microphone[i] * micGain : 0
      let s = i < system.count ? system[i] * sysGain : 0
      // Hard clip after summing: two full-scale inputs must not wrap when written as Int16.
      out[i] = max(-1, min(1, m + s))
    }
    microphone.removeFirst(min(available, microphone.count))
    system.removeFirst(min(available, system.count))
    return out
  }

  /// RMS level of `samples` in dBFS; -160 for digital silence.
  public static func levelDb(_ samples: [Float]) -> Double {
    guard !samples.isEmpty else { return -160 }
    let sum = samples.reduce(Float(0)) { $0 + $1 * $1 }
    let rms = Double((sum / Float(samples.count)).squareRoot())
    return rms > 0 ? max(-160, 20 * log10(rms)) : -160
  }
}

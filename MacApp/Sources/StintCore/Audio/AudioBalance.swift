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

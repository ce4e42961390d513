/// Decides what a recording does when the Mac sleeps, the screen locks or the displays
/// change: pause at the first interruption (the recorder closes and reports its segments),
/// and when the last one clears, resume or end as the user chose. Interruptions overlap
/// (a lid close is a lock and a sleep); only the first pauses and only the last decides.
///
/// A recording the user had already paused is left paused: the tracker resumes only what
/// it paused itself.
public struct InterruptionTracker: Sendable, Hashable {
  public enum Reason: String, Sendable, Hashable, CaseIterable, Comparable {
    case sleep
    case screenLock = "screen-lock"
    case displayChange = "display-change"
    case sessionSwitch = "session-switch"

    /// For the marker note the gap leaves in the session.
    public var phrase: String {
      switch self {
      case .sleep: "the Mac went to sleep"
      case .screenLock: "the screen was locked"
      case .displayChange: "the displays changed"
      case .sessionSwitch: "another user session became active"
      }
    }

    public static func < (lhs: Reason, rhs: Reason) -> Bool { lhs.rawValue < rhs.rawValue }
  }

  public enum Policy: String, Sendable, Hashable, Codable, CaseIterable {
    case resume
    case end
  }

  public enum Action: Sendable, Hashable {
    case none
    case pause(Reason)
    case resume(after: [Reason])
    case end(after: [Reason])
  }

  public private(set) var active: Set<Reason> = []
  /// Every reason seen since the pause, for the note when the gap closes.
  public private(set) var seen: Set<Reason> = []
  public private(set) var pausedByUs = false

  public init() {}

  /// An interruption began. `recording` is true when the session is capturing (not paused).
  public mutating func begin(_ reason: Reason, recording: Bool) -> Action {
    let first = active.isEmpty
    active.insert(reason)
    if pausedByUs {
      seen.insert(reason)
      return .none
    }
    guard first, recording else { return .none }
    pausedByUs = true
    seen = [reason]
    return .pause(reason)
  }

  /// An interruption cleared. Only when none is left does the policy apply.
  public mutating func end(_ reason: Reason, policy: Policy) -> Action {
    active.remove(reason)
    guard active.isEmpty, pausedByUs else { return .none }
    pausedByUs = false
    let reasons = seen.sorted()
    seen = []
    return policy == .resume ? .resume(after: reasons) : .end(after: reasons)
  }

  /// The recording ended or was resumed by the user meanwhile: nothing to resume later.
  public mutating func forget() {
    pausedByUs = false
    seen = []
  }
}

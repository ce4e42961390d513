/// A media timestamp in integer nanoseconds.
///
/// Integer time keeps tick arithmetic exact: at 60 fps a tick is 16 666 666.67 ns, and a
/// period rounded and summed drifts (whole milliseconds: 12 s late after 10 minutes).
public struct MediaTime: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var nanoseconds: Int64

  public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

  public static let zero = MediaTime(nanoseconds: 0)

  public static func milliseconds(_ value: Int64) -> MediaTime { MediaTime(nanoseconds: value * 1_000_000) }
  public static func seconds(_ value: Double) -> MediaTime { MediaTime(nanoseconds: Int64((value * 1e9).rounded())) }

  public var seconds: Double { Double(nanoseconds) / 1e9 }
  public var milliseconds: Double { Double(nanoseconds) / 1e6 }

  public static func < (lhs: MediaTime, rhs: MediaTime) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
  public static func + (lhs: MediaTime, rhs: MediaTime) -> MediaTime { MediaTime(nanoseconds: lhs.nanoseconds + rhs.nanoseconds) }
  public static func - (lhs: MediaTime, rhs: MediaTime) -> MediaTime { MediaTime(nanoseconds: lhs.nanoseconds - rhs.nanoseconds) }

  /// Absolute distance between two times.
  public func distance(to other: MediaTime) -> MediaTime { MediaTime(nanoseconds: abs(nanoseconds - other.nanoseconds)) }

  public var description: String { "\(milliseconds) ms" }
}

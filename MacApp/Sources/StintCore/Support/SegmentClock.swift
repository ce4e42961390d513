/// Decides when a rolling writer (video or WAV) starts its next file.
///
/// Segments are cut on media time, not wall time, so a paused span does not produce an
/// empty file and every file covers at most `segmentDuration` of captured media.
public struct SegmentClock: Sendable, Hashable {
  public let segmentDuration: MediaTime
  public private(set) var segmentStart: MediaTime?
  public private(set) var index = 0

  public init(segmentDuration: MediaTime) {
    precondition(segmentDuration.nanoseconds > 0)
    self.segmentDuration = segmentDuration
  }

  public enum Decision: Sendable, Equatable {
    case first(index: Int)
    case same
    case next(index: Int)
  }

  /// Call with each sample's presentation time; `.next` means finish the current file first.
  /// `canCut` is false for samples that cannot start a file (a video frame that is not a sync frame).
  public mutating func observe(_ time: MediaTime, canCut: Bool = true) -> Decision {
    guard let start = segmentStart else {
      segmentStart = time
      return .first(index: index)
    }
    guard canCut, time - start >= segmentDuration else { return .same }
    index += 1
    segmentStart = time
    return .next(index: index)
  }

  /// `prefix-0007.ext`: sortable names, so a folder listing is the capture order.
  public static func fileName(prefix: String, index: Int, ext: String) -> String {
    let digits = String(index)
    return "\(prefix)-\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits).\(ext)"
  }
}

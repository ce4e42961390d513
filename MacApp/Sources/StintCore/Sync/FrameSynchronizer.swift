/// Aligns frames from several capture streams (displays, windows, a camera) onto one
/// constant-rate output clock, so the compositor draws frames that were on screen together.
///
/// Output tick `n` is at `origin + n / fps`, computed from `n` each time rather than
/// accumulated, so the clock cannot drift however long the recording runs. For each tick,
/// every stream contributes the buffered frame nearest to the tick; within `tolerance`
/// (16 ms by default, one 60 Hz frame) it is `.aligned`, otherwise the stream's previous
/// frame is repeated as `.held` (a 30 fps camera, a window that did not change) or the
/// slot is `.missing` (a stream that has not delivered yet).
///
/// A tick is decided once every stream has a frame at or after it: stream timestamps
/// only increase, so no later frame can be closer. ``advance(to:)`` decides ticks whose
/// deadline has passed even if a stream stalled, so one frozen window never stops the video.
public struct FrameSynchronizer<Frame: Sendable>: Sendable {
  public typealias StreamID = Int

  public enum Slot: Sendable {
    case aligned(Frame, at: MediaTime)
    case held(Frame, at: MediaTime)
    case missing

    public var frame: Frame? {
      switch self {
      case .aligned(let frame, _), .held(let frame, _): frame
      case .missing: nil
      }
    }

    public var timestamp: MediaTime? {
      switch self {
      case .aligned(_, let at), .held(_, let at): at
      case .missing: nil
      }
    }

    public var isAligned: Bool {
      if case .aligned = self { return true }
      return false
    }
  }

  /// One output frame's worth of inputs, in stream order.
  public struct Output: Sendable {
    public var tick: Int64
    public var time: MediaTime
    public var slots: [(stream: StreamID, slot: Slot)]
  }

  public struct Statistics: Sendable, Hashable {
    public var ticks: Int64 = 0
    public var alignedSlots: Int64 = 0
    public var heldSlots: Int64 = 0
    public var missingSlots: Int64 = 0
    public var outOfOrderFrames: Int64 = 0
    public var overflowedFrames: Int64 = 0
    /// Largest distance of an aligned frame from its tick.
    public var worstAlignment: MediaTime = .zero
  }

  private struct Buffered: Sendable {
    var time: MediaTime
    var frame: Frame
  }

  private struct Stream: Sendable {
    var buffer: [Buffered] = []
    var last: Buffered?
    /// The source reported "nothing changed" up to here (ScreenCaptureKit's `.idle`).
    var idleUntil: MediaTime?
  }

  public let fps: Int
  public let tolerance: MediaTime
  /// How long past a tick's deadline ``advance(to:)`` waits for a stalled stream.
  public let maxLatency: MediaTime
  public let maxBufferedPerStream: Int
  public private(set) var origin: MediaTime?
  public private(set) var nextTick: Int64 = 0
  public private(set) var statistics = Statistics()

  private var order: [StreamID] = []
  private var streams: [StreamID: Stream] = [:]
  private var nextStreamID: StreamID = 0

  public init(
    fps: Int, tolerance: MediaTime = .milliseconds(16), maxLatency: MediaTime = .milliseconds(100),
    maxBufferedPerStream: Int = 16
  ) {
    precondition(fps > 0 && fps <= 240, "fps out of range")
    self.fps = fps
    self.tolerance = tolerance
    self.maxLatency = maxLatency
    self.maxBufferedPerStream = max(2, maxBufferedPerStream)
  }

  public var streamIDs: [StreamID] { order }

  /// Frames a stream has buffered (each holds a capture buffer the source wants back).
  public func bufferedFrames(of id: StreamID) -> Int { streams[id]?.buffer.count ?? 0 }

  /// Adds a source (also while recording); its slots are `.missing` until it delivers.
  @discardableResult
  public mutating func addStream() -> StreamID {
    let id = nextStreamID
    nextStreamID += 1
    order.append(id)
    streams[id] = Stream()
    return id
  }

  /// Removes a source; later outputs no longer carry its slot.
  public mutating func removeStream(_ id: StreamID) {
    order.removeAll { $0 == id }
    streams[id] = nil
  }

  /// Pins the output clock; otherwise the first frame pushed sets it.
  public mutating func start(at origin: MediaTime) {
    self.origin = origin
    nextTick = 0
  }

  /// The time of output tick `n`: exact integer arithmetic, no accumulated error.
  public func time(ofTick n: Int64) -> MediaTime {
    let base = origin ?? .zero
    // Split to avoid overflow: n * 1e9 overflows Int64 after ~292 years of ticks only, but
    // the split keeps the rounding identical for every n.
    let whole = (n / Int64(fps)) * 1_000_000_000
    let rest = ((n % Int64(fps)) * 1_000_000_000) / Int64(fps)
    return MediaTime(nanoseconds: base.nanoseconds + whole + rest)
  }

  /// Buffers a frame and returns every output that became decidable.
  public mutating func push(_ frame: Frame, stream id: StreamID, at time: MediaTime) -> [Output] {
    guard var stream = streams[id] else { return [] }
    if origin == nil { origin = time }
    if let newest = stream.buffer.last ?? stream.last, time <= newest.time {
      statistics.outOfOrderFrames += 1
      return []
    }
    stream.buffer.append(Buffered(time: time, frame: frame))
    if stream.buffer.count > maxBufferedPerStream {
      stream.buffer.removeFirst(stream.buffer.count - maxBufferedPerStream)
      statistics.overflowedFrames += 1
    }
    streams[id] = stream
    return drain(forcedUntil: nil)
  }

  /// Records that a stream's picture did not change up to `time` (an idle frame): its last
  /// frame is held for ticks up to then, and those ticks no longer wait for it.
  public mutating func markIdle(stream id: StreamID, at time: MediaTime) -> [Output] {
    guard var stream = streams[id] else { return [] }
    if origin == nil { origin = time }
    stream.idleUntil = max(stream.idleUntil ?? time, time)
    streams[id] = stream
    return drain(forcedUntil: nil)
  }

  /// Decides ticks whose deadline (`tick + tolerance + maxLatency`) is before `now`, even if
  /// a stream has stalled. Call it from the output clock (a display link or a timer).
  public mutating func advance(to now: MediaTime) -> [Output] {
    drain(forcedUntil: now)
  }

  private func isDecided(_ stream: Stream, at tick: MediaTime) -> Bool {
    if let idle = stream.idleUntil, idle >= tick, stream.buffer.last != nil || stream.last != nil { return true }
    guard let newest = stream.buffer.last else { return false }
    return newest.time >= tick
  }

  private mutating func drain(forcedUntil now: MediaTime?) -> [Output] {
    guard origin != nil, !order.isEmpty else { return [] }
    var outputs: [Output] = []
    while true {
      let tickTime = time(ofTick: nextTick)
      let allDecided = order.allSatisfy { streams[$0].map { isDecided($0, at: tickTime) } ?? true }
      let forced = now.map { $0 >= tickTime + tolerance + maxLatency } ?? false
      guard allDecided || forced else { break }
      outputs.append(emit(tick: nextTick, at: tickTime))
      nextTick += 1
    }
    return outputs
  }

  private mutating func emit(tick: Int64, at tickTime: MediaTime) -> Output {
    var slots: [(stream: StreamID, slot: Slot)] = []
    slots.reserveCapacity(order.count)
    for id in order {
      guard var stream = streams[id] else { continue }
      let slot = choose(for: &stream, at: tickTime)
      streams[id] = stream
      slots.append((id, slot))
      switch slot {
      case .aligned(_, let at):
        statistics.alignedSlots += 1
        statistics.worstAlignment = max(statistics.worstAlignment, at.distance(to: tickTime))
      case .held: statistics.heldSlots += 1
      case .missing: statistics.missingSlots += 1
      }
    }
    statistics.ticks += 1
    return Output(tick: tick, time: tickTime, slots: slots)
  }

  private func choose(for stream: inout Stream, at tickTime: MediaTime) -> Slot {
    // Candidates: the last frame before the tick and the first at or after it.
    let afterIndex = stream.buffer.firstIndex { $0.time >= tickTime }
    let beforeIndex = (afterIndex ?? stream.buffer.count) - 1
    let before: Buffered? = beforeIndex >= 0 ? stream.buffer[beforeIndex] : nil
    let after: Buffered? = afterIndex.map { stream.buffer[$0] }

    var best: (Buffered, Int)?
    for (candidate, index) in [(before, beforeIndex), (after, afterIndex ?? -1)] {
      guard let candidate else { continue }
      if let current = best, current.0.time.distance(to: tickTime) <= candidate.time.distance(to: tickTime) {
        continue
      }
      best = (candidate, index)
    }

    if case let (frame, index)? = best, frame.time.distance(to: tickTime) <= tolerance {
      // Keep the chosen frame buffered: a slower stream may repeat it for the next tick.
      stream.buffer.removeFirst(index)
      stream.last = frame
      return .aligned(frame.frame, at: frame.time)
    }
    if let before {
      stream.buffer.removeFirst(beforeIndex)
      stream.last = before
      return .held(before.frame, at: before.time)
    }
    if let last = stream.last {
      return .held(last.frame, at: last.time)
    }
    return .missing
  }
}

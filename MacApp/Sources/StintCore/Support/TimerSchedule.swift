/// Pending one-shot timers in deadline order, ties broken by creation order.
///
/// The host port promises that "equal deadlines fire in call order"; one DispatchSourceTimer
/// per timer cannot promise that, so the host keeps this schedule and arms one timer for
/// its earliest deadline.
public struct TimerSchedule: Sendable {
  public struct Entry: Sendable, Hashable {
    public var id: Int
    /// Monotonic milliseconds.
    public var deadline: Double
  }

  private var entries: [Entry] = []
  private var nextID = 1

  public init() {}

  public var isEmpty: Bool { entries.isEmpty }
  public var count: Int { entries.count }
  public var earliestDeadline: Double? { entries.first?.deadline }

  /// Adds a timer due at `deadline`; returns its id (never reused, never 0).
  public mutating func add(deadline: Double) -> Int {
    let id = nextID
    nextID += 1
    // Insert after every entry with a deadline <= this one: equal deadlines keep call order.
    let index = entries.firstIndex { $0.deadline > deadline } ?? entries.count
    entries.insert(Entry(id: id, deadline: deadline), at: index)
    return id
  }

  /// Cancels a timer; unknown or fired ids are ignored.
  @discardableResult
  public mutating func cancel(_ id: Int) -> Bool {
    guard let index = entries.firstIndex(where: { $0.id == id }) else { return false }
    entries.remove(at: index)
    return true
  }

  /// Removes and returns the next due timer, if its deadline is at or before `now`. Callers
  /// fire one at a time and call again, so a callback that cancels a later timer is honoured.
  public mutating func popDue(now: Double) -> Entry? {
    guard let first = entries.first, first.deadline <= now else { return nil }
    entries.removeFirst()
    return first
  }
}

/// Rate limit for recorder health samples, so a condition that persists (a full buffer, a
/// failing disk) is reported at a steady pace instead of on every pump.
///
/// Each key is sent at most once per `interval`, or once per `urgentInterval` while the
/// condition is urgent; a key that just became urgent is sent at once.
public struct HealthThrottle: Sendable {
  public let interval: Double
  public let urgentInterval: Double
  private var lastSent: [String: Double] = [:]
  private var wasUrgent: Set<String> = []

  /// Intervals in seconds of a monotonic clock.
  public init(interval: Double, urgentInterval: Double) {
    precondition(interval > 0 && urgentInterval > 0)
    self.interval = interval
    self.urgentInterval = urgentInterval
  }

  /// Whether to send `key` now; records the send when it answers true.
  public mutating func shouldSend(_ key: String, now: Double, urgent: Bool = false) -> Bool {
    let becameUrgent = urgent && !wasUrgent.contains(key)
    if urgent { wasUrgent.insert(key) } else { wasUrgent.remove(key) }
    if !becameUrgent, let last = lastSent[key], now - last < (urgent ? urgentInterval : interval) { return false }
    lastSent[key] = now
    return true
  }
}

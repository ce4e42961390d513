import Foundation
import JavaScriptCore
import StintCore

extension EngineHost {
  func installClock(on root: HostObjectBuilder) {
    let clock = root.capability("clock")
    clock.sync("now") { _ in .number((Date().timeIntervalSince1970 * 1000).rounded()) }
    // Monotonic, unaffected by clock changes; the engine measures session time with it.
    clock.sync("elapsed") { _ in .number(Double(clock_gettime_nsec_np(CLOCK_MONOTONIC)) / 1e6) }

    let timers = root.capability("timers")
    timers.sync("setTimeout") { [weak self] arguments in
      guard let self, let callback = arguments[argument: 0], HostValue.isFunction(callback) else {
        throw HostError(code: "EINVAL", message: "setTimeout needs a function")
      }
      let delay = arguments[argument: 1]?.toDouble() ?? 0
      return .number(Double(self.timers.schedule(callback, afterMs: delay.isFinite ? max(0, delay) : 0)))
    }
    timers.sync("clearTimeout") { [weak self] arguments in
      if let id = arguments[argument: 0]?.toDouble(), id.isFinite { self?.timers.cancel(Int(id)) }
      return .undefined
    }
  }
}

/// One-shot timers on one DispatchSourceTimer armed for the earliest deadline, so equal
/// deadlines fire in call order (host-port.ts). Callbacks are held here until they fire or
/// are cleared, then released: JS holds no reference back, so nothing leaks or dangles.
/// Confined to the engine queue (checked by `dispatchPrecondition`), hence `@unchecked`.
final class HostTimers: @unchecked Sendable {
  private let queue: DispatchQueue
  private let fire: (JSValue) -> Void
  private var pendingTimers = TimerSchedule()
  private var callbacks: [Int: JSValue] = [:]
  private var source: DispatchSourceTimer?

  init(queue: DispatchQueue, fire: @escaping (JSValue) -> Void) {
    self.queue = queue
    self.fire = fire
  }

  private var nowMs: Double { Double(clock_gettime_nsec_np(CLOCK_MONOTONIC)) / 1e6 }

  func schedule(_ callback: JSValue, afterMs delay: Double) -> Int {
    dispatchPrecondition(condition: .onQueue(queue))
    let id = pendingTimers.add(deadline: nowMs + delay)
    callbacks[id] = callback
    arm()
    return id
  }

  func cancel(_ id: Int) {
    dispatchPrecondition(condition: .onQueue(queue))
    pendingTimers.cancel(id)
    callbacks[id] = nil
    arm()
  }

  func cancelAll() {
    source?.cancel()
    source = nil
    pendingTimers = TimerSchedule()
    callbacks.removeAll()
  }

  private func arm() {
    guard let deadline = pendingTimers.earliestDeadline else {
      source?.cancel()
      source = nil
      return
    }
    if source == nil {
      let timer = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
      timer.setEventHandler { [weak self] in self?.fireDue() }
      timer.resume()
      source = timer
    }
    let wait = max(0, deadline - nowMs)
    source?.schedule(deadline: .now() + .microseconds(Int(wait * 1000)), leeway: .milliseconds(1))
  }

  private func fireDue() {
    // One at a time: a callback may clear or add timers.
    while let entry = pendingTimers.popDue(now: nowMs) {
      guard let callback = callbacks.removeValue(forKey: entry.id) else { continue }
      fire(callback)
    }
    arm()
  }
}

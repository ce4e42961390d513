import AppKit
import StintCore

/// Turns the system's sleep, lock, user-switch and display notifications into
/// `InterruptionTracker` reasons beginning and ending. Observers are delivered on the
/// main queue; a display change ends once the displays have been quiet for two seconds.
@MainActor
final class InterruptionWatcher {
  typealias Handler = @MainActor (_ reason: InterruptionTracker.Reason, _ began: Bool) -> Void

  private var observers: [(center: NotificationCenter, token: any NSObjectProtocol)] = []
  private var displaySettle: Task<Void, Never>?
  private let handler: Handler

  init(handler: @escaping Handler) {
    self.handler = handler
    let workspace = NSWorkspace.shared.notificationCenter
    observe(workspace, NSWorkspace.willSleepNotification) { $0.handler(.sleep, true) }
    observe(workspace, NSWorkspace.didWakeNotification) { $0.handler(.sleep, false) }
    observe(workspace, NSWorkspace.sessionDidResignActiveNotification) { $0.handler(.sessionSwitch, true) }
    observe(workspace, NSWorkspace.sessionDidBecomeActiveNotification) { $0.handler(.sessionSwitch, false) }
    // The lock screen has no public NSWorkspace notification; these distributed ones are
    // what the system posts when the screen locks and unlocks.
    let distributed = DistributedNotificationCenter.default()
    observe(distributed, Notification.Name("com.apple.screenIsLocked")) { $0.handler(.screenLock, true) }
    observe(distributed, Notification.Name("com.apple.screenIsUnlocked")) { $0.handler(.screenLock, false) }
    observe(NotificationCenter.default, NSApplication.didChangeScreenParametersNotification) { $0.displaysChanged() }
  }

  func invalidate() {
    for observer in observers { observer.center.removeObserver(observer.token) }
    observers.removeAll()
    displaySettle?.cancel()
  }

  private func observe(_ center: NotificationCenter, _ name: Notification.Name, _ body: @escaping @MainActor (InterruptionWatcher) -> Void) {
    let token = center.addObserver(forName: name, object: nil, queue: .main) { [weak self] _ in
      MainActor.assumeIsolated {
        guard let self else { return }
        body(self)
      }
    }
    observers.append((center, token))
  }

  private func displaysChanged() {
    if displaySettle == nil { handler(.displayChange, true) }
    displaySettle?.cancel()
    displaySettle = Task { [weak self] in
      try? await Task.sleep(for: .seconds(2))
      guard !Task.isCancelled, let self else { return }
      self.displaySettle = nil
      self.handler(.displayChange, false)
    }
  }
}

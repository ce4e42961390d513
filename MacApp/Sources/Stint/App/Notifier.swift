import OSLog
import UserNotifications

/// Notifications when enrichment completes or fails. Authorization is requested the first
/// time one is needed, not at launch.
@MainActor
final class Notifier: NSObject, UNUserNotificationCenterDelegate {
  nonisolated static let sessionIDKey = "sessionId"
  private let logger = Logger(subsystem: "app.stint", category: "notifications")
  var onOpenSession: ((String) -> Void)?

  override init() {
    super.init()
    UNUserNotificationCenter.current().delegate = self
  }

  func post(title: String, body: String, sessionID: String?) async {
    // Fetched per call rather than stored: a fresh reference may be handed to the center's
    // nonisolated async methods without sharing actor state.
    let center = UNUserNotificationCenter.current()
    do {
      let settings = await center.notificationSettings()
      if settings.authorizationStatus == .notDetermined {
        guard try await center.requestAuthorization(options: [.alert, .sound]) else { return }
      } else if settings.authorizationStatus != .authorized && settings.authorizationStatus != .provisional {
        return
      }
      let content = UNMutableNotificationContent()
      content.title = title
      content.body = body
      if let sessionID { content.userInfo = [Self.sessionIDKey: sessionID] }
      try await center.add(UNNotificationRequest(identifier: UUID().uuidString, content: content, trigger: nil))
    } catch {
      logger.error("notification failed: \(error.localizedDescription, privacy: .public)")
    }
  }

  nonisolated func userNotificationCenter(
    _ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse
  ) async {
    let sessionID = response.notification.request.content.userInfo[Self.sessionIDKey] as? String
    await MainActor.run {
      if let sessionID { self.onOpenSession?(sessionID) }
    }
  }

  nonisolated func userNotificationCenter(
    _ center: UNUserNotificationCenter, willPresent notification: UNNotification
  ) async -> UNNotificationPresentationOptions {
    [.banner, .sound]
  }
}

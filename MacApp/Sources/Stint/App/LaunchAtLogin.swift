import OSLog
import ServiceManagement

/// Launch at login through SMAppService (macOS 13+): the system owns the login item, and the
/// user sees and can revoke it in System Settings → General → Login Items.
struct LaunchAtLogin {
  var isEnabled: Bool { SMAppService.mainApp.status == .enabled }

  /// Why the switch does not stick, when it does not.
  var problem: String? {
    switch SMAppService.mainApp.status {
    case .requiresApproval: "Allow Stint in System Settings → General → Login Items."
    case .notFound: "Move Stint to the Applications folder to open it at login."
    default: nil
    }
  }

  func set(_ enabled: Bool) throws {
    if enabled {
      try SMAppService.mainApp.register()
    } else {
      try SMAppService.mainApp.unregister()
    }
  }
}

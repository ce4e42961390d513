import AVFoundation
import AppKit
import CoreGraphics
import ScreenCaptureKit
import StintCore

/// The three capture permissions, named as the host port names them.
enum PermissionKind: String, Sendable, CaseIterable, Identifiable {
  case screen, microphone, camera

  var id: String { rawValue }

  var title: String {
    switch self {
    case .screen: "Screen Recording"
    case .microphone: "Microphone"
    case .camera: "Camera"
    }
  }

  var explanation: String {
    switch self {
    case .screen: "Stint records the displays and windows you choose. Excluded apps are never captured."
    case .microphone: "Stint records your voice so sessions can be transcribed."
    case .camera: "Stint can include your webcam in the recording layout."
    }
  }
}

/// `PermissionState` of host-port.ts.
enum PermissionState: String, Sendable, Codable {
  case granted, denied, restricted
  case notDetermined = "not_determined"
}

/// One permission as a value: its current state, a request, and where to fix it.
///
/// Screen Recording has no reliable synchronous check: `CGPreflightScreenCaptureAccess`
/// keeps answering false in a running process after the user grants access, and never
/// says "denied". So its state comes from asking ScreenCaptureKit for shareable content
/// (which fails with `userDeclined` without the permission), once Stint has asked before;
/// before that it is `notDetermined`, since the probe itself would raise the system alert.
struct Permission: Sendable, Identifiable {
  let kind: PermissionKind
  var status: @Sendable () async -> PermissionState
  var request: @Sendable () async -> PermissionState
  var settingsURL: URL

  var id: PermissionKind { kind }

  @MainActor
  func openSettings() {
    if kind == .screen { ScreenPermissionMemory.openedSettings = true }
    NSWorkspace.shared.open(settingsURL)
  }
}

/// What Stint remembers about the Screen Recording prompt: macOS shows it once, so a later
/// "not granted" is a denial, and a grant made while Stint runs only applies after a relaunch.
enum ScreenPermissionMemory {
  private static let requestedKey = "permissions.screen.requested"

  static var requested: Bool {
    get { UserDefaults.standard.bool(forKey: requestedKey) }
    set { UserDefaults.standard.set(newValue, forKey: requestedKey) }
  }

  /// Set when this launch sent the user to the Screen Recording pane: if access is still
  /// missing afterwards, the grant is most likely waiting for a relaunch.
  @MainActor static var openedSettings = false

  /// Whether ScreenCaptureKit serves shareable content to this process right now.
  static func probe() async -> Bool {
    if CGPreflightScreenCaptureAccess() { return true }
    do {
      _ = try await SCShareableContent.excludingDesktopWindows(false, onScreenWindowsOnly: true)
      return true
    } catch {
      return false
    }
  }
}

/// Quit & Reopen: a Screen Recording grant reaches a process launched after it. The new
/// instance is started by a shell that waits for this one to exit, so it cannot inherit
/// the old process's cached answer; quitting goes through the normal path (a running
/// recording is ended and every file reported first).
@MainActor
enum Relauncher {
  static func quitAndReopen() {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    // The bundle path is passed as $0, never spliced into the script.
    process.arguments = [
      "-c", "while /bin/kill -0 \(ProcessInfo.processInfo.processIdentifier) 2>/dev/null; do /bin/sleep 0.2; done; /usr/bin/open \"$0\"",
      Bundle.main.bundleURL.path,
    ]
    do {
      try process.run()
    } catch {
      // Without the helper the user reopens by hand; quitting still applies the grant.
    }
    NSApp.terminate(nil)
  }
}

extension Permission {
  fileprivate static func privacyPane(_ anchor: String) -> URL {
    // The x-apple.systempreferences scheme still routes to System Settings on macOS 13+.
    URL(string: "x-apple.systempreferences:com.apple.preference.security?\(anchor)") ?? URL(fileURLWithPath: "/System/Applications/System Settings.app")
  }

  static let screen = Permission(
    kind: .screen,
    status: {
      if CGPreflightScreenCaptureAccess() { return .granted }
      guard ScreenPermissionMemory.requested else { return .notDetermined }
      return await ScreenPermissionMemory.probe() ? .granted : .denied
    },
    request: {
      ScreenPermissionMemory.requested = true
      // Shows the system alert the first time; asking ScreenCaptureKit for content is what
      // lists Stint under Screen Recording on macOS 15.
      if CGRequestScreenCaptureAccess() { return .granted }
      return await ScreenPermissionMemory.probe() ? .granted : .denied
    },
    settingsURL: Permission.privacyPane("Privacy_ScreenCapture"))

  static let microphone = Permission(
    kind: .microphone,
    status: { Permission.state(AVCaptureDevice.authorizationStatus(for: .audio)) },
    request: { await AVCaptureDevice.requestAccess(for: .audio) ? .granted : .denied },
    settingsURL: Permission.privacyPane("Privacy_Microphone"))

  static let camera = Permission(
    kind: .camera,
    status: { Permission.state(AVCaptureDevice.authorizationStatus(for: .video)) },
    request: { await AVCaptureDevice.requestAccess(for: .video) ? .granted : .denied },
    settingsURL: Permission.privacyPane("Privacy_Camera"))

  static func live(_ kind: PermissionKind) -> Permission {
    switch kind {
    case .screen: .screen
    case .microphone: .microphone
    case .camera: .camera
    }
  }

  fileprivate static func state(_ status: AVAuthorizationStatus) -> PermissionState {
    switch status {
    case .authorized: .granted
    case .denied: .denied
    case .restricted: .restricted
    case .notDetermined: .notDetermined
    @unknown default: .notDetermined
    }
  }
}

extension PermissionKind {
  /// Only what the configuration needs: the screen for video or screenshots, the microphone
  /// for voice, the camera when a webcam source is selected.
  static func required(by settings: StintSettings) -> [PermissionKind] {
    var kinds: [PermissionKind] = []
    // System audio comes through ScreenCaptureKit, so it needs Screen Recording as well.
    if settings.videoEnabled || settings.screenshotsEnabled || settings.systemAudioEnabled { kinds.append(.screen) }
    if settings.microphoneEnabled { kinds.append(.microphone) }
    if settings.sources.contains(where: { $0.kind == .camera }) { kinds.append(.camera) }
    return kinds
  }
}

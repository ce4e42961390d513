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

/// One permission as a value: check, request, where to fix it, and an async wait for the
/// user to flip the switch in System Settings (polled: macOS posts no notification for it).
struct Permission: Sendable, Identifiable {
  let kind: PermissionKind
  var check: @Sendable () -> PermissionState
  var request: @Sendable () async -> PermissionState
  var settingsURL: URL

  var id: PermissionKind { kind }

  /// Polls until granted or `timeout` passes; returns the last state seen.
  func waitUntilGranted(timeout: Duration = .seconds(120), every interval: Duration = .milliseconds(750)) async -> PermissionState {
    let deadline = ContinuousClock.now + timeout
    var state = check()
    while state != .granted, ContinuousClock.now < deadline, !Task.isCancelled {
      try? await Task.sleep(for: interval)
      state = check()
    }
    return state
  }

  @MainActor
  func openSettings() { NSWorkspace.shared.open(settingsURL) }
}

extension Permission {
  fileprivate static func privacyPane(_ anchor: String) -> URL {
    // The x-apple.systempreferences scheme still routes to System Settings on macOS 13+.
    URL(string: "x-apple.systempreferences:com.apple.preference.security?\(anchor)")!
  }

  static let screen = Permission(
    kind: .screen,
    check: { CGPreflightScreenCaptureAccess() ? .granted : .notDetermined },
    request: {
      // On macOS 15 the prompt must come from ScreenCaptureKit: asking for shareable
      // content is what registers Stint in the Screen Recording list and shows the alert.
      do {
        _ = try await SCShareableContent.excludingDesktopWindows(true, onScreenWindowsOnly: true)
        return .granted
      } catch {
        return CGPreflightScreenCaptureAccess() ? .granted : .denied
      }
    },
    settingsURL: Permission.privacyPane("Privacy_ScreenCapture"))

  static let microphone = Permission(
    kind: .microphone,
    check: { Permission.state(AVCaptureDevice.authorizationStatus(for: .audio)) },
    request: { await AVCaptureDevice.requestAccess(for: .audio) ? .granted : .denied },
    settingsURL: Permission.privacyPane("Privacy_Microphone"))

  static let camera = Permission(
    kind: .camera,
    check: { Permission.state(AVCaptureDevice.authorizationStatus(for: .video)) },
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

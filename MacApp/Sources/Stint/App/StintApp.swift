import AppKit
import SwiftUI

/// A menu-bar app: no Dock icon (LSUIElement in Info.plist), one MenuBarExtra, Settings,
/// and an onboarding window shown only when a recording needs a permission.
@main
struct StintApp: App {
  @NSApplicationDelegateAdaptor(AppDelegate.self) private var delegate

  var body: some Scene {
    MenuBarExtra {
      MenuBarContent(model: delegate.model)
    } label: {
      MenuBarLabel(model: delegate.model)
    }
    .menuBarExtraStyle(.menu)

    Settings {
      SettingsView(store: delegate.model.settings, model: delegate.model)
    }

    Window("Welcome to Stint", id: OnboardingWindow.id) {
      OnboardingWindow(model: delegate.model)
    }
    .windowResizability(.contentSize)
    .defaultPosition(.center)
  }
}

struct OnboardingWindow: View {
  static let id = "onboarding"
  var model: AppModel
  @Environment(\.dismissWindow) private var dismissWindow

  var body: some View {
    OnboardingView(kinds: model.requiredPermissions) {
      dismissWindow(id: Self.id)
      model.startRecording()
    }
  }
}

/// Owns the model so it exists from launch (engine started, hotkeys registered) rather than
/// from the first time SwiftUI evaluates a scene.
@MainActor
final class AppDelegate: NSObject, NSApplicationDelegate {
  let model = AppModel()

  /// Ending the app ends capture cleanly: files closed and reported, engine stopped.
  func applicationShouldTerminate(_ sender: NSApplication) -> NSApplication.TerminateReply {
    let model = self.model
    Task {
      if model.status == .recording || model.status == .paused { await model.endRecordingAndWait() }
      await model.shutdown()
      NSApp.reply(toApplicationShouldTerminate: true)
    }
    return .terminateLater
  }
}

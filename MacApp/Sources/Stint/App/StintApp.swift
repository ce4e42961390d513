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

final class AppDelegate: NSObject, NSApplicationDelegate {
  @MainActor lazy var model = AppModel()

  func applicationDidFinishLaunching(_ notification: Notification) {
    // Touch the model so the engine and hotkeys come up before the menu is first opened.
    MainActor.assumeIsolated { _ = model }
  }

  /// Ending the app ends capture cleanly: files closed and reported, engine stopped.
  func applicationShouldTerminate(_ sender: NSApplication) -> NSApplication.TerminateReply {
    MainActor.assumeIsolated {
      let model = self.model
      Task { @MainActor in
        if model.status == .recording || model.status == .paused { model.endRecording() }
        await model.shutdown()
        NSApp.reply(toApplicationShouldTerminate: true)
      }
    }
    return .terminateLater
  }
}

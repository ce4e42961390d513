import AppKit
import SwiftUI

/// A menu-bar app: no Dock icon (LSUIElement in Info.plist), one MenuBarExtra and Settings.
/// The permissions window is AppKit's (`OnboardingWindowController`), shown only when a
/// recording needs a permission.
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

import AppKit
import SwiftUI

/// The permissions window, opened by AppKit rather than SwiftUI's `openWindow`: a
/// menu-bar app is often not active when a hotkey or the menu asks for it, and
/// `openWindow` from a `MenuBarExtra` label's `onChange` can do nothing then.
@MainActor
final class OnboardingWindowController {
  private var window: NSWindow?

  func show(kinds: [PermissionKind], onDone: @escaping @MainActor () -> Void) {
    let view = OnboardingView(kinds: kinds) { [weak self] in
      self?.close()
      onDone()
    }
    if let window {
      window.contentViewController = NSHostingController(rootView: view)
    } else {
      let window = NSWindow(contentViewController: NSHostingController(rootView: view))
      window.title = "Welcome to Stint"
      window.styleMask = [.titled, .closable]
      window.isReleasedWhenClosed = false
      window.center()
      self.window = window
    }
    NSApp.activate()
    window?.makeKeyAndOrderFront(nil)
  }

  func close() {
    window?.close()
  }
}

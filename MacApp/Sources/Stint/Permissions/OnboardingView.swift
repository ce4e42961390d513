import AppKit
import StintCore
import SwiftUI

/// Asks only for what the chosen configuration needs, and every state has a way out:
/// not asked yet → Allow…; denied → Open System Settings at the right pane; Screen
/// Recording switched on in System Settings but not yet applied to this process → Quit &
/// Reopen. States are re-read every second while the window is open and whenever Stint
/// becomes active again (coming back from System Settings).
struct OnboardingView: View {
  let kinds: [PermissionKind]
  var onDone: () -> Void

  @State private var states: [PermissionKind: PermissionState] = [:]
  @State private var asking: PermissionKind?

  var body: some View {
    VStack(alignment: .leading, spacing: 16) {
      Text("Stint needs a few permissions").font(.title2.bold())
      Text("Only what your recording setup uses is listed. You can change them later in System Settings.")
        .foregroundStyle(.secondary)
      ForEach(kinds) { kind in
        HStack(alignment: .top, spacing: 12) {
          Image(systemName: symbol(for: states[kind]))
            .foregroundStyle(states[kind] == .granted ? .green : .orange)
            .font(.title3)
            .accessibilityHidden(true)
          VStack(alignment: .leading, spacing: 4) {
            Text(kind.title).font(.headline)
            Text(kind.explanation).font(.callout).foregroundStyle(.secondary)
            if needsRelaunch(kind) {
              Text("If you have already switched Stint on, macOS applies it when Stint reopens.")
                .font(.callout)
            }
          }
          Spacer()
          actions(for: kind)
        }
      }
      HStack {
        Spacer()
        Button("Continue", action: onDone)
          .keyboardShortcut(.defaultAction)
          .disabled(!kinds.allSatisfy { states[$0] == .granted })
      }
    }
    .padding(24)
    .frame(width: 560)
    .task {
      // Polls only while the window is open; the task ends with the view.
      while !Task.isCancelled {
        await refresh()
        try? await Task.sleep(for: .seconds(1))
      }
    }
    .onReceive(NotificationCenter.default.publisher(for: NSApplication.didBecomeActiveNotification)) { _ in
      Task { await refresh() }
    }
  }

  /// Screen Recording still missing after this launch sent the user to its pane.
  private func needsRelaunch(_ kind: PermissionKind) -> Bool {
    kind == .screen && states[kind] != .granted && ScreenPermissionMemory.openedSettings
  }

  @ViewBuilder
  private func actions(for kind: PermissionKind) -> some View {
    let permission = Permission.live(kind)
    switch states[kind] {
    case .granted:
      Text("Allowed").foregroundStyle(.secondary)
    case nil:
      ProgressView().controlSize(.small)
    case .notDetermined:
      Button(asking == kind ? "Asking…" : "Allow…") {
        asking = kind
        Task {
          states[kind] = await permission.request()
          asking = nil
        }
      }
      .disabled(asking != nil)
    case .denied, .restricted:
      VStack(alignment: .trailing, spacing: 6) {
        Button("Open System Settings") { permission.openSettings() }
        if needsRelaunch(kind) {
          Button("Quit & Reopen") { Relauncher.quitAndReopen() }
        }
      }
    }
  }

  private func refresh() async {
    for kind in kinds where asking != kind {
      states[kind] = await Permission.live(kind).status()
    }
  }

  private func symbol(for state: PermissionState?) -> String {
    state == .granted ? "checkmark.circle.fill" : "exclamationmark.circle"
  }
}

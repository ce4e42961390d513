import StintCore
import SwiftUI

/// Asks only for what the chosen configuration needs and opens the right pane when a
/// permission was denied earlier (macOS will not prompt twice).
struct OnboardingView: View {
  let kinds: [PermissionKind]
  var onDone: () -> Void

  @State private var states: [PermissionKind: PermissionState] = [:]
  @State private var waiting: PermissionKind?

  var body: some View {
    VStack(alignment: .leading, spacing: 16) {
      Text("Stint needs a few permissions").font(.title2.bold())
      Text("Only what your recording setup uses is listed. You can change them later in System Settings.")
        .foregroundStyle(.secondary)
      ForEach(kinds) { kind in
        HStack(alignment: .top, spacing: 12) {
          Image(systemName: symbol(for: states[kind] ?? .notDetermined))
            .foregroundStyle(states[kind] == .granted ? .green : .orange)
            .font(.title3)
            .accessibilityHidden(true)
          VStack(alignment: .leading, spacing: 4) {
            Text(kind.title).font(.headline)
            Text(kind.explanation).font(.callout).foregroundStyle(.secondary)
          }
          Spacer()
          button(for: kind)
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
    .frame(width: 520)
    .task { refresh() }
  }

  @ViewBuilder
  private func button(for kind: PermissionKind) -> some View {
    let permission = Permission.live(kind)
    switch states[kind] ?? .notDetermined {
    case .granted:
      Text("Allowed").foregroundStyle(.secondary)
    case .notDetermined:
      Button("Allow…") {
        Task {
          states[kind] = await permission.request()
          if states[kind] != .granted { await waitInSettings(kind) }
        }
      }
    case .denied, .restricted:
      Button(waiting == kind ? "Waiting…" : "Open System Settings") {
        permission.openSettings()
        Task { await waitInSettings(kind) }
      }
      .disabled(waiting == kind)
    }
  }

  private func waitInSettings(_ kind: PermissionKind) async {
    waiting = kind
    states[kind] = await Permission.live(kind).waitUntilGranted()
    waiting = nil
  }

  private func refresh() {
    for kind in kinds { states[kind] = Permission.live(kind).check() }
  }

  private func symbol(for state: PermissionState) -> String {
    state == .granted ? "checkmark.circle.fill" : "exclamationmark.circle"
  }
}

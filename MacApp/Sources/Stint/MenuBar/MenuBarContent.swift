import StintCore
import SwiftUI

/// The menu: Start recording (one click, last-used configuration), Pause/Resume, End,
/// Add marker, Open review, recent sessions, Settings…, Quit. Shortcuts shown are the
/// user's global hotkeys.
struct MenuBarContent: View {
  var model: AppModel

  var body: some View {
    switch model.status {
    case .idle, .processing:
      Button("Start Recording") { model.startRecording() }
        .disabled(!model.engineReady)
      if model.status == .processing { Text("Processing the last session…") }
    case .starting:
      Text("Starting…")
    case .recording, .paused:
      Text(model.status == .paused ? "Paused — \(model.elapsedText ?? "")" : "Recording — \(model.elapsedText ?? "")")
      Button(model.status == .paused ? "Resume" : "Pause") { model.togglePause() }
      Button("End Recording") { model.endRecording() }
      Button("Add Marker") { model.addMarker() }
    case .error(let message):
      Text(message)
      Button("Retry") { model.retry() }
      Button("Dismiss") { model.dismissError() }
    }
    if let lastError = model.lastError { Text(lastError) }
    Divider()
    Button("Open Review") { model.openReview() }
    if !model.recentSessions.isEmpty {
      Menu("Recent Sessions") {
        ForEach(model.recentSessions) { session in
          Button(session.name) { model.openReview(sessionID: session.id) }
        }
      }
    }
    Divider()
    SettingsLink { Text("Settings…") }
      .keyboardShortcut(",")
    Button("Quit Stint") { NSApp.terminate(nil) }
      .keyboardShortcut("q")
  }
}

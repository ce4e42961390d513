import AppKit
import StintCore
import SwiftUI

/// Records a shortcut: click, press the keys, done. Escape cancels; Delete clears.
///
/// Stint's global hotkeys are suspended while recording (`onRecordingChange`): Carbon
/// hotkeys fire before a local event monitor sees the keys, so typing the current "pause"
/// shortcut to rebind it would pause the session instead.
struct ShortcutField: View {
  @Binding var combo: KeyCombo?
  var clash: HotkeyClash?
  var onRecordingChange: (Bool) -> Void = { _ in }

  @State private var recording = false
  @State private var monitor: Any?
  @State private var invalid: String?

  var body: some View {
    VStack(alignment: .leading, spacing: 2) {
      Button {
        recording ? stop() : start()
      } label: {
        Text(recording ? "Type shortcut…" : combo?.description ?? "None")
          .monospaced()
          .frame(minWidth: 110)
      }
      .accessibilityLabel(recording ? "Recording a shortcut" : "Shortcut \(combo?.description ?? "none"); press to change")
      if let message = invalid ?? clash?.description {
        Text(message).font(.caption).foregroundStyle(.orange)
      }
    }
    .onDisappear(perform: stop)
  }

  private func start() {
    recording = true
    onRecordingChange(true)
    invalid = nil
    monitor = NSEvent.addLocalMonitorForEvents(matching: .keyDown) { event in
      switch Int(event.keyCode) {
      case 0x35:  // Escape
        stop()
      case 0x33, 0x75:  // Delete, Forward Delete
        combo = nil
        stop()
      default:
        let candidate = KeyCombo(keyCode: UInt32(event.keyCode), modifiers: HotkeyCenter.modifiers(from: event.modifierFlags))
        do {
          try candidate.validate()
          combo = candidate
          stop()
        } catch KeyCombo.ValidationError.needsModifier {
          invalid = "Add ⌘, ⌥ or ⌃ — a plain key would block typing in every app."
        } catch {
          invalid = "That key cannot be used for a shortcut."
        }
      }
      return nil
    }
  }

  private func stop() {
    let wasRecording = recording
    recording = false
    if let monitor { NSEvent.removeMonitor(monitor) }
    monitor = nil
    if wasRecording { onRecordingChange(false) }
  }
}

import AppKit
import StintCore
import SwiftUI

/// Settings…: general, capture, AI, shortcuts. Problems show next to their field, from
/// `StintSettings.issues()`; nothing is clamped silently.
struct SettingsView: View {
  @Bindable var store: SettingsStore
  var model: AppModel

  var body: some View {
    TabView {
      GeneralSettingsPane(store: store, model: model).tabItem { Label("General", systemImage: "gearshape") }
      CaptureSettingsPane(store: store, model: model).tabItem { Label("Capture", systemImage: "record.circle") }
      AISettingsPane(store: store).tabItem { Label("AI", systemImage: "sparkles") }
      ShortcutSettingsPane(store: store, model: model).tabItem { Label("Shortcuts", systemImage: "command") }
    }
    .frame(width: 560)
    .padding(20)
  }
}

private struct GeneralSettingsPane: View {
  @Bindable var store: SettingsStore
  var model: AppModel

  var body: some View {
    Form {
      Toggle("Open Stint at login", isOn: Binding(get: { model.launchAtLogin.isEnabled }, set: { model.setLaunchAtLogin($0) }))
      if let problem = model.launchAtLogin.problem {
        Text(problem).font(.caption).foregroundStyle(.orange)
      }
      Toggle("Notify when enrichment finishes or fails", isOn: $store.settings.notifyOnEnrichment)
      LabeledContent("Data folder") {
        HStack {
          Text(store.dataDirectory.path).truncationMode(.middle).lineLimit(1).textSelection(.enabled)
          Button("Choose…", action: chooseFolder)
          Button("Show") { NSWorkspace.shared.activateFileViewerSelecting([store.dataDirectory]) }
        }
      }
      Picker("Keep sessions", selection: $store.settings.retentionDays) {
        Text("Forever").tag(Int?.none)
        Text("30 days").tag(Int?.some(30))
        Text("90 days").tag(Int?.some(90))
        Text("1 year").tag(Int?.some(365))
      }
      IssuesList(issues: store.settings.issues().filter { if case .outOfRange(let field, _, _) = $0 { return field == "retentionDays" } else { return false } })
    }
    .formStyle(.grouped)
  }

  private func chooseFolder() {
    let panel = NSOpenPanel()
    panel.canChooseDirectories = true
    panel.canChooseFiles = false
    panel.canCreateDirectories = true
    panel.prompt = "Use Folder"
    if panel.runModal() == .OK, let url = panel.url { store.settings.dataFolderPath = url.path }
  }
}

private struct CaptureSettingsPane: View {
  @Bindable var store: SettingsStore
  var model: AppModel
  @State private var newExclusion = ""

  var body: some View {
    Form {
      Section("Video") {
        Toggle("Record video", isOn: $store.settings.videoEnabled)
        Picker("Quality", selection: $store.settings.videoQuality) {
          Text("Low (15 fps)").tag(VideoQuality.low)
          Text("Standard (30 fps)").tag(VideoQuality.standard)
          Text("High (60 fps)").tag(VideoQuality.high)
        }
        Picker("Layout for several sources", selection: $store.settings.layout) {
          Text("Grid").tag(CompositorLayout.grid)
          Text("Side by side").tag(CompositorLayout.sideBySide)
          Text("First source only").tag(CompositorLayout.passthrough)
        }
        SourcePicker(selection: $store.settings.sources, model: model)
      }
      Section("Screenshots") {
        Toggle("Take screenshots", isOn: $store.settings.screenshotsEnabled)
        Stepper(
          "Every \(Int(store.settings.screenshotIntervalSeconds)) s", value: $store.settings.screenshotIntervalSeconds, in: 1...300,
          step: 1)
      }
      Section("Audio") {
        Toggle("Microphone", isOn: $store.settings.microphoneEnabled)
        Toggle("System audio", isOn: $store.settings.systemAudioEnabled)
        LabeledContent("Balance") {
          HStack {
            Text("Mic").font(.caption)
            Slider(value: $store.settings.audioBalance, in: 0...1)
              .accessibilityLabel("Balance between microphone and system audio")
            Text("System").font(.caption)
          }
        }
        .disabled(!(store.settings.microphoneEnabled && store.settings.systemAudioEnabled))
      }
      Section("Never record these apps") {
        ForEach(store.settings.excludedBundleIDs, id: \.self) { bundleID in
          HStack {
            Text(bundleID).monospaced()
            Spacer()
            Button(role: .destructive) {
              store.settings.excludedBundleIDs.removeAll { $0 == bundleID }
            } label: {
              Image(systemName: "minus.circle")
            }
            .buttonStyle(.borderless)
            .accessibilityLabel("Stop excluding \(bundleID)")
          }
        }
        HStack {
          TextField("Bundle identifier, e.g. com.example.app", text: $newExclusion)
          Button("Add") {
            let id = newExclusion.trimmingCharacters(in: .whitespaces)
            if !id.isEmpty, !store.settings.excludedBundleIDs.contains(id) { store.settings.excludedBundleIDs.append(id) }
            newExclusion = ""
          }
        }
      }
      Section("Sleep, lock and display changes") {
        Text("Recording always pauses with its files saved; the gap is noted in the session.")
          .font(.callout).foregroundStyle(.secondary)
        Picker("Afterwards", selection: $store.settings.afterInterruption) {
          Text("Resume recording").tag(InterruptionTracker.Policy.resume)
          Text("End the session").tag(InterruptionTracker.Policy.end)
        }
      }
      Section("Disk") {
        let budget = model.recordingBudget(for: store.settings)
        LabeledContent("Expected size") {
          Text(Self.perHour(budget.bytesPerHour)).monospacedDigit()
        }
        Text(
          "Video \(Self.perHour(budget.videoBytesPerHour)), screenshots \(Self.perHour(budget.screenshotBytesPerHour)) (estimated for text and UI), audio \(Self.perHour(budget.audioBytesPerHour)). Stint warns while recording when less than an hour of this is free."
        )
        .font(.callout).foregroundStyle(.secondary)
      }
      IssuesList(issues: store.settings.issues())
    }
    .formStyle(.grouped)
  }

  static func perHour(_ bytes: Double) -> String {
    "\(ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)) per hour"
  }
}

/// The display, windows and camera to record, from `recording.sources` (the engine asks the recorder).
private struct SourcePicker: View {
  @Binding var selection: [SourceSelection]
  var model: AppModel

  var body: some View {
    LabeledContent("Sources") {
      VStack(alignment: .leading) {
        if model.availableSources.isEmpty {
          Text("Main display").foregroundStyle(.secondary)
        }
        ForEach(model.availableSources) { source in
          Toggle(source.label, isOn: Binding(
            get: { selection.contains(source.selection) },
            set: { on in
              if on { selection.append(source.selection) } else { selection.removeAll { $0 == source.selection } }
            }))
        }
        Button("Refresh") { Task { await model.refreshSources() } }
          .buttonStyle(.link)
      }
    }
    .task { await model.refreshSources() }
  }
}

private struct AISettingsPane: View {
  @Bindable var store: SettingsStore
  @State private var anthropicKey = ""
  @State private var openAIKey = ""
  @State private var keyError: String?

  var body: some View {
    Form {
      Picker("Provider", selection: $store.settings.provider) {
        Text("On this Mac (no key, nothing leaves the Mac)").tag(AIProvider.local)
        Text("Anthropic").tag(AIProvider.anthropic)
        Text("OpenAI").tag(AIProvider.openai)
      }
      Section("Anthropic") {
        KeyField(title: "API key", text: $anthropicKey, stored: store.hasKey(for: .anthropic)) { save($0, .anthropic) }
        TextField("Model for screenshots", text: $store.settings.anthropicModels.fast)
        TextField("Model for summaries", text: $store.settings.anthropicModels.strong)
        Toggle("Batch screenshots (slower, about half the price)", isOn: $store.settings.allowBatchProcessing)
      }
      Section("OpenAI") {
        KeyField(title: "API key", text: $openAIKey, stored: store.hasKey(for: .openai)) { save($0, .openai) }
        TextField("Model for screenshots", text: $store.settings.openAIModels.fast)
        TextField("Model for summaries", text: $store.settings.openAIModels.strong)
      }
      Section("Cost and privacy") {
        LabeledContent("Most per session") {
          TextField("USD", value: $store.settings.maxCostPerSession, format: .currency(code: "USD")).frame(width: 100)
        }
        LabeledContent("Monthly budget") {
          TextField("USD", value: $store.settings.monthlyBudget, format: .currency(code: "USD")).frame(width: 100)
        }
        Toggle("Keep screenshots on this Mac", isOn: $store.settings.keepScreenshotsLocal)
      }
      if let keyError { Text(keyError).foregroundStyle(.red) }
      IssuesList(issues: store.settings.issues().filter {
        if case .outOfRange(let field, _, _) = $0 { return field.contains("Cost") || field.contains("Budget") }
        return false
      })
    }
    .formStyle(.grouped)
  }

  private func save(_ value: String, _ provider: AIProvider) {
    do {
      try store.setKey(value.isEmpty ? nil : value, for: provider)
      keyError = nil
    } catch {
      keyError = error.localizedDescription
    }
  }
}

/// A key is write-only from the UI: the stored value is never shown back.
private struct KeyField: View {
  let title: String
  @Binding var text: String
  let stored: Bool
  var onSave: (String) -> Void

  var body: some View {
    LabeledContent(title) {
      HStack {
        SecureField(stored ? "Saved in the Keychain" : "Not set", text: $text)
          .onSubmit { onSave(text); text = "" }
        Button("Save") { onSave(text); text = "" }.disabled(text.isEmpty)
        if stored { Button("Remove", role: .destructive) { onSave("") } }
      }
    }
  }
}

private struct ShortcutSettingsPane: View {
  @Bindable var store: SettingsStore
  var model: AppModel

  var body: some View {
    Form {
      ForEach(HotkeyAction.allCases, id: \.self) { action in
        LabeledContent(action.title) {
          ShortcutField(
            combo: Binding(
              get: { store.settings.hotkeys[action] },
              set: { combo in
                store.settings.hotkeys.set(combo, for: action)
                model.applyHotkeys()
              }),
            clash: model.hotkeyClashes.first { $0.action == action },
            onRecordingChange: { model.suspendHotkeys($0) })
        }
      }
      Button("Restore defaults") {
        store.settings.hotkeys = .defaults
        model.applyHotkeys()
      }
    }
    .formStyle(.grouped)
  }
}

private struct IssuesList: View {
  let issues: [StintSettings.Issue]

  var body: some View {
    ForEach(issues, id: \.self) { issue in
      Label(issue.description, systemImage: "exclamationmark.triangle").foregroundStyle(.orange).font(.callout)
    }
  }
}

import StintCore
import SwiftUI

/// The status item: a symbol per state and, while recording, the elapsed session time.
struct MenuBarLabel: View {
  var model: AppModel

  var body: some View {
    TimelineView(.periodic(from: .now, by: 1)) { context in
      HStack(spacing: 4) {
        Image(systemName: model.status.symbolName)
        if model.status == .recording || model.status == .paused {
          Text(ElapsedFormat.string(milliseconds: model.elapsedMs(at: context.date)))
            .monospacedDigit()
        }
      }
      .accessibilityElement(children: .combine)
      .accessibilityLabel(model.status.accessibilityLabel)
    }
  }
}

extension RecordingStatus {
  /// SF Symbols for idle, recording, paused, processing and error.
  var symbolName: String {
    switch self {
    case .idle: "record.circle"
    case .starting: "circle.dotted"
    case .recording: "record.circle.fill"
    case .paused: "pause.circle.fill"
    case .processing: "gearshape.2"
    case .error: "exclamationmark.triangle.fill"
    }
  }

  var accessibilityLabel: String {
    switch self {
    case .idle: "Stint, not recording"
    case .starting: "Stint, starting"
    case .recording: "Stint, recording"
    case .paused: "Stint, paused"
    case .processing: "Stint, processing"
    case .error: "Stint, needs attention"
    }
  }
}

import Foundation
import StintCore

/// What the menu bar shows.
enum RecordingStatus: Equatable {
  case idle
  case starting
  case recording
  case paused
  case processing
  case error(String)
}

/// A row of "Recent sessions".
struct RecentSession: Identifiable, Hashable {
  var id: String
  var name: String
  var status: String
}

/// A capture source offered in Settings (from `recording.sources`).
struct SourceOption: Identifiable, Hashable {
  var selection: SourceSelection
  var label: String
  /// Pixels at the main screen's backing scale, when the recorder reported a size.
  var pixelSize: PixelSize?
  var id: String { "\(selection.kind.rawValue):\(selection.id)" }
}

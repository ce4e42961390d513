import ScreenCaptureKit
import StintCore

/// Builds the SCContentFilter for a source so that excluded pixels never reach a frame:
/// Stint's own windows (the menu, the review panel) and every window of an excluded app
/// (password managers by default) are left out by the window server itself.
enum ContentFilterBuilder {
  enum FilterError: LocalizedError {
    case displayNotFound(String)
    case windowNotFound(String)
    case windowExcluded(String)

    var errorDescription: String? {
      switch self {
      case .displayNotFound(let id): "Display \(id) is not connected."
      case .windowNotFound(let id): "Window \(id) is no longer open."
      case .windowExcluded(let app): "Windows of \(app) are excluded from recording."
      }
    }
  }

  static func excludedApplications(in content: SCShareableContent, bundleIDs: [String]) -> [SCRunningApplication] {
    let excluded = Set(bundleIDs).union([Bundle.main.bundleIdentifier].compactMap { $0 })
    return content.applications.filter { excluded.contains($0.bundleIdentifier) }
  }

  static func filter(
    for source: RecorderConfiguration.Source, content: SCShareableContent, excludedBundleIDs: [String],
    excludedWindowIDs: [String]
  ) throws -> (filter: SCContentFilter, size: PixelSize, scale: Double) {
    switch source.kind {
    case .display:
      guard let display = content.displays.first(where: { String($0.displayID) == source.id }) else {
        throw FilterError.displayNotFound(source.id)
      }
      let apps = excludedApplications(in: content, bundleIDs: excludedBundleIDs)
      let windowIDs = Set(excludedWindowIDs)
      // The filter knows the display's backing scale (macOS 14): no NSScreen, which is
      // main-actor state and must not be read from the recorder's actor.
      func sized(_ filter: SCContentFilter) -> (filter: SCContentFilter, size: PixelSize, scale: Double) {
        let scale = Double(filter.pointPixelScale)
        return (filter, PixelSize(width: Double(display.width) * scale, height: Double(display.height) * scale), scale)
      }
      if windowIDs.isEmpty {
        // App-level exclusion also covers windows an excluded app opens later.
        return sized(SCContentFilter(display: display, excludingApplications: apps, exceptingWindows: []))
      }
      // Excluding single windows needs the window form, which does not follow windows opened
      // later; the recorder rebuilds the filter (`updateContentFilter`) when the list changes.
      let excludedPIDs = Set(apps.map(\.processID))
      let excluded = content.windows.filter { window in
        windowIDs.contains(String(window.windowID))
          || window.owningApplication.map { excludedPIDs.contains($0.processID) } == true
      }
      return sized(SCContentFilter(display: display, excludingWindows: excluded))
    case .window:
      guard let window = content.windows.first(where: { String($0.windowID) == source.id }) else {
        throw FilterError.windowNotFound(source.id)
      }
      if let bundleID = window.owningApplication?.bundleIdentifier, Set(excludedBundleIDs).contains(bundleID) {
        throw FilterError.windowExcluded(window.owningApplication?.applicationName ?? bundleID)
      }
      let filter = SCContentFilter(desktopIndependentWindow: window)
      let scale = Double(filter.pointPixelScale)
      return (filter, PixelSize(width: window.frame.width * scale, height: window.frame.height * scale), scale)
    case .camera:
      preconditionFailure("cameras are captured by CameraCaptureSource")
    }
  }
}

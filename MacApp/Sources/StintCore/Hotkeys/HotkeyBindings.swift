/// What a global shortcut does.
public enum HotkeyAction: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
  case toggleRecording
  case togglePause
  case addMarker
  case openReview

  public var title: String {
    switch self {
    case .toggleRecording: "Start or end recording"
    case .togglePause: "Pause or resume"
    case .addMarker: "Add marker"
    case .openReview: "Open review"
    }
  }
}

/// Who else uses a shortcut.
public enum HotkeyOwner: Sendable, Hashable, Codable {
  /// Another of Stint's own actions.
  case stint(HotkeyAction)
  /// A macOS shortcut from System Settings → Keyboard → Shortcuts (`CopySymbolicHotKeys`).
  case system
  /// Registered exclusively by another running app (`RegisterEventHotKey` said it exists).
  case otherApp
}

public struct HotkeyClash: Sendable, Hashable, CustomStringConvertible {
  public var action: HotkeyAction
  public var combo: KeyCombo
  public var owner: HotkeyOwner

  public init(action: HotkeyAction, combo: KeyCombo, owner: HotkeyOwner) {
    self.action = action
    self.combo = combo
    self.owner = owner
  }

  public var description: String {
    switch owner {
    case .stint(let other): "\(combo) for “\(action.title)” is already used for “\(other.title)”."
    case .system: "\(combo) for “\(action.title)” is a macOS shortcut; change it here or in System Settings."
    case .otherApp: "\(combo) for “\(action.title)” is taken by another app."
    }
  }
}

/// The user's shortcuts, with clash detection. A clash is reported, never silently ignored.
public struct HotkeyBindings: Sendable, Hashable, Codable {
  public private(set) var combos: [HotkeyAction: KeyCombo]

  public init(combos: [HotkeyAction: KeyCombo]) { self.combos = combos }

  /// ⌃⌥⌘ plus a letter: rarely used by other apps, easy to reach with one hand.
  public static let defaults = HotkeyBindings(combos: [
    .toggleRecording: KeyCombo(keyCode: VirtualKey.r, modifiers: [.control, .option, .command]),
    .togglePause: KeyCombo(keyCode: VirtualKey.p, modifiers: [.control, .option, .command]),
    .addMarker: KeyCombo(keyCode: VirtualKey.m, modifiers: [.control, .option, .command]),
    .openReview: KeyCombo(keyCode: VirtualKey.o, modifiers: [.control, .option, .command]),
  ])

  public subscript(action: HotkeyAction) -> KeyCombo? { combos[action] }

  /// Sets or clears a binding; returns the clashes the new binding has (it is kept either
  /// way, so the user sees the warning next to what they typed).
  @discardableResult
  public mutating func set(_ combo: KeyCombo?, for action: HotkeyAction, system: Set<KeyCombo> = []) -> [HotkeyClash] {
    combos[action] = combo
    return clashes(system: system).filter { $0.action == action }
  }

  /// Every clash among Stint's own bindings and with the given system shortcuts, in action order.
  public func clashes(system: Set<KeyCombo>) -> [HotkeyClash] {
    var found: [HotkeyClash] = []
    for action in HotkeyAction.allCases {
      guard let combo = combos[action] else { continue }
      for other in HotkeyAction.allCases where other != action && combos[other] == combo {
        found.append(HotkeyClash(action: action, combo: combo, owner: .stint(other)))
      }
      if system.contains(combo) {
        found.append(HotkeyClash(action: action, combo: combo, owner: .system))
      }
    }
    return found
  }
}

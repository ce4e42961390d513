/// Modifier keys of a shortcut. Raw values are StintCore's own; the app maps them to Carbon.
public struct KeyModifiers: OptionSet, Sendable, Hashable, Codable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  public static let control = KeyModifiers(rawValue: 1 << 0)
  public static let option = KeyModifiers(rawValue: 1 << 1)
  public static let shift = KeyModifiers(rawValue: 1 << 2)
  public static let command = KeyModifiers(rawValue: 1 << 3)

  /// In the order macOS menus print them: ⌃⌥⇧⌘.
  public var symbols: String {
    var out = ""
    if contains(.control) { out += "⌃" }
    if contains(.option) { out += "⌥" }
    if contains(.shift) { out += "⇧" }
    if contains(.command) { out += "⌘" }
    return out
  }
}

/// A global shortcut: a virtual key code (Carbon `kVK_*`) plus modifiers.
public struct KeyCombo: Sendable, Hashable, Codable, CustomStringConvertible {
  public var keyCode: UInt32
  public var modifiers: KeyModifiers

  public init(keyCode: UInt32, modifiers: KeyModifiers) {
    self.keyCode = keyCode
    self.modifiers = modifiers
  }

  public enum ValidationError: Error, Hashable {
    /// A global shortcut without ⌘, ⌃ or ⌥ would swallow ordinary typing in every app.
    case needsModifier
    case unknownKey(UInt32)
  }

  public func validate() throws {
    guard VirtualKey.name(for: keyCode) != nil else { throw ValidationError.unknownKey(keyCode) }
    if VirtualKey.isFunctionKey(keyCode) { return }
    guard !modifiers.intersection([.command, .control, .option]).isEmpty else { throw ValidationError.needsModifier }
  }

  public var description: String { modifiers.symbols + (VirtualKey.name(for: keyCode) ?? "key \(keyCode)") }
}

/// The ANSI virtual key codes shortcuts use (Carbon's `kVK_*` values, which are stable ABI).
public enum VirtualKey {
  private static let names: [UInt32: String] = [
    0x00: "A", 0x0B: "B", 0x08: "C", 0x02: "D", 0x0E: "E", 0x03: "F", 0x05: "G", 0x04: "H", 0x22: "I",
    0x26: "J", 0x28: "K", 0x25: "L", 0x2E: "M", 0x2D: "N", 0x1F: "O", 0x23: "P", 0x0C: "Q", 0x0F: "R",
    0x01: "S", 0x11: "T", 0x20: "U", 0x09: "V", 0x0D: "W", 0x07: "X", 0x10: "Y", 0x06: "Z",
    0x1D: "0", 0x12: "1", 0x13: "2", 0x14: "3", 0x15: "4", 0x17: "5", 0x16: "6", 0x1A: "7", 0x1C: "8",
    0x19: "9", 0x31: "Space", 0x24: "↩", 0x30: "⇥", 0x35: "⎋", 0x33: "⌫", 0x2B: ",", 0x2F: ".",
    0x2C: "/", 0x29: ";", 0x27: "'", 0x21: "[", 0x1E: "]", 0x2A: "\\", 0x1B: "-", 0x18: "=", 0x32: "`",
    0x7A: "F1", 0x78: "F2", 0x63: "F3", 0x76: "F4", 0x60: "F5", 0x61: "F6", 0x62: "F7", 0x64: "F8",
    0x65: "F9", 0x6D: "F10", 0x67: "F11", 0x6F: "F12", 0x69: "F13", 0x6B: "F14", 0x71: "F15",
    0x7B: "←", 0x7C: "→", 0x7D: "↓", 0x7E: "↑",
  ]
  private static let functionKeys: Set<UInt32> = [
    0x7A, 0x78, 0x63, 0x76, 0x60, 0x61, 0x62, 0x64, 0x65, 0x6D, 0x67, 0x6F, 0x69, 0x6B, 0x71,
  ]

  public static func name(for keyCode: UInt32) -> String? { names[keyCode] }
  public static func isFunctionKey(_ keyCode: UInt32) -> Bool { functionKeys.contains(keyCode) }

  public static let r: UInt32 = 0x0F
  public static let p: UInt32 = 0x23
  public static let m: UInt32 = 0x2E
  public static let o: UInt32 = 0x1F
}

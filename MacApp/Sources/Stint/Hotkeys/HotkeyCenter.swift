import AppKit
import Carbon.HIToolbox
import OSLog
import StintCore

/// Global hotkeys through Carbon's RegisterEventHotKey: still the only public API that
/// receives shortcuts without Accessibility permission, and the one KeyboardShortcuts
/// wraps. A clash is reported, never ignored: with a macOS shortcut (read through
/// CopySymbolicHotKeys), with another of Stint's actions, or with another app that
/// registered the combination exclusively (RegisterEventHotKey says so).
@MainActor
final class HotkeyCenter {
  private var handlers: [HotkeyAction: () -> Void] = [:]
  private var registered: [HotkeyAction: EventHotKeyRef] = [:]
  private var eventHandler: EventHandlerRef?
  private let signature: OSType = 0x5354_4E54  // 'STNT'
  private let logger = Logger(subsystem: "app.stint", category: "hotkeys")

  /// Clashes found by the last `apply`, for Settings to show next to each shortcut.
  private(set) var clashes: [HotkeyClash] = []

  init() { installHandler() }

  func onAction(_ action: HotkeyAction, _ handler: @escaping () -> Void) { handlers[action] = handler }

  /// Registers every binding, replacing the previous ones; returns all clashes found.
  @discardableResult
  func apply(_ bindings: HotkeyBindings) -> [HotkeyClash] {
    unregisterAll()
    let system = Self.systemShortcuts()
    var found = bindings.clashes(system: system)
    var taken: Set<KeyCombo> = []
    for action in HotkeyAction.allCases {
      guard let combo = bindings[action] else { continue }
      // Ours twice (already in `found`): register the first only, so one press does one thing.
      guard taken.insert(combo).inserted else { continue }
      var ref: EventHotKeyRef?
      let id = EventHotKeyID(signature: signature, id: UInt32(HotkeyAction.allCases.firstIndex(of: action)! + 1))
      let status = RegisterEventHotKey(
        combo.keyCode, Self.carbonModifiers(combo.modifiers), id, GetApplicationEventTarget(),
        OptionBits(kEventHotKeyExclusive), &ref)
      if status == noErr, let ref {
        registered[action] = ref
      } else {
        if status == OSStatus(eventHotKeyExistsErr) { found.append(HotkeyClash(action: action, combo: combo, owner: .otherApp)) }
        logger.error("could not register \(combo.description, privacy: .public) for \(action.rawValue, privacy: .public): \(status)")
      }
    }
    clashes = found
    return found
  }

  func unregisterAll() {
    for ref in registered.values { UnregisterEventHotKey(ref) }
    registered.removeAll()
  }

  private func installHandler() {
    var spec = EventTypeSpec(eventClass: OSType(kEventClassKeyboard), eventKind: UInt32(kEventHotKeyPressed))
    let context = Unmanaged.passUnretained(self).toOpaque()
    // The center lives as long as the app (owned by AppModel), so the unretained pointer
    // cannot dangle; the handler hops to the main actor where the center lives.
    InstallEventHandler(
      GetApplicationEventTarget(),
      { _, event, context in
        guard let event, let context else { return OSStatus(eventNotHandledErr) }
        var id = EventHotKeyID()
        let status = GetEventParameter(
          event, EventParamName(kEventParamDirectObject), EventParamType(typeEventHotKeyID), nil,
          MemoryLayout<EventHotKeyID>.size, nil, &id)
        guard status == noErr else { return status }
        let center = Unmanaged<HotkeyCenter>.fromOpaque(context).takeUnretainedValue()
        MainActor.assumeIsolated { center.fire(id) }
        return noErr
      }, 1, &spec, context, &eventHandler)
  }

  private func fire(_ id: EventHotKeyID) {
    guard id.signature == signature, id.id >= 1, Int(id.id) <= HotkeyAction.allCases.count else { return }
    let action = HotkeyAction.allCases[Int(id.id) - 1]
    handlers[action]?()
  }

  static func carbonModifiers(_ modifiers: KeyModifiers) -> UInt32 {
    var out: UInt32 = 0
    if modifiers.contains(.command) { out |= UInt32(cmdKey) }
    if modifiers.contains(.option) { out |= UInt32(optionKey) }
    if modifiers.contains(.control) { out |= UInt32(controlKey) }
    if modifiers.contains(.shift) { out |= UInt32(shiftKey) }
    return out
  }

  static func modifiers(fromCarbon flags: UInt32) -> KeyModifiers {
    var out: KeyModifiers = []
    if flags & UInt32(cmdKey) != 0 { out.insert(.command) }
    if flags & UInt32(optionKey) != 0 { out.insert(.option) }
    if flags & UInt32(controlKey) != 0 { out.insert(.control) }
    if flags & UInt32(shiftKey) != 0 { out.insert(.shift) }
    return out
  }

  static func modifiers(from flags: NSEvent.ModifierFlags) -> KeyModifiers {
    var out: KeyModifiers = []
    if flags.contains(.command) { out.insert(.command) }
    if flags.contains(.option) { out.insert(.option) }
    if flags.contains(.control) { out.insert(.control) }
    if flags.contains(.shift) { out.insert(.shift) }
    return out
  }

  /// The enabled shortcuts from System Settings → Keyboard → Keyboard Shortcuts.
  static func systemShortcuts() -> Set<KeyCombo> {
    var unmanaged: Unmanaged<CFArray>?
    guard CopySymbolicHotKeys(&unmanaged) == noErr, let array = unmanaged?.takeRetainedValue() as? [[String: Any]] else {
      return []
    }
    var combos = Set<KeyCombo>()
    for entry in array {
      guard (entry[kHISymbolicHotKeyEnabled as String] as? Bool) == true,
        let code = (entry[kHISymbolicHotKeyCode as String] as? NSNumber)?.uint32Value,
        let flags = (entry[kHISymbolicHotKeyModifiers as String] as? NSNumber)?.uint32Value
      else { continue }
      combos.insert(KeyCombo(keyCode: code, modifiers: modifiers(fromCarbon: flags)))
    }
    return combos
  }
}

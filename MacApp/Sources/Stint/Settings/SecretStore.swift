import Foundation
import Security

/// API keys in the Keychain (generic passwords, this device only). A port as a struct of
/// closures: `.live` talks to the Keychain, `.inMemory` serves previews and tests.
struct SecretStore: Sendable {
  var get: @Sendable (_ name: String) throws -> String?
  var set: @Sendable (_ name: String, _ value: String?) throws -> Void

  enum KeychainError: LocalizedError {
    case status(OSStatus)

    var errorDescription: String? {
      switch self {
      case .status(let status):
        let text = SecCopyErrorMessageString(status, nil) as String? ?? "OSStatus \(status)"
        return "Keychain: \(text)"
      }
    }
  }

  static let service = "app.stint.api-keys"

  static let live = SecretStore(
    get: { name in
      let query: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: service,
        kSecAttrAccount as String: name,
        kSecReturnData as String: true,
        kSecMatchLimit as String: kSecMatchLimitOne,
      ]
      var item: CFTypeRef?
      let status = SecItemCopyMatching(query as CFDictionary, &item)
      if status == errSecItemNotFound { return nil }
      guard status == errSecSuccess, let data = item as? Data else { throw KeychainError.status(status) }
      return String(data: data, encoding: .utf8)
    },
    set: { name, value in
      let base: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: service,
        kSecAttrAccount as String: name,
      ]
      let deleted = SecItemDelete(base as CFDictionary)
      guard deleted == errSecSuccess || deleted == errSecItemNotFound else { throw KeychainError.status(deleted) }
      guard let value, !value.isEmpty else { return }
      var add = base
      add[kSecValueData as String] = Data(value.utf8)
      add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
      add[kSecAttrLabel as String] = "Stint \(name)"
      let status = SecItemAdd(add as CFDictionary, nil)
      guard status == errSecSuccess else { throw KeychainError.status(status) }
    })

  static func inMemory(_ initial: [String: String] = [:]) -> SecretStore {
    let box = LockedBox(initial)
    return SecretStore(get: { name in box.read { $0[name] } }, set: { name, value in box.write { $0[name] = value } })
  }
}

/// A value behind a lock, for the few bits of state shared across threads.
final class LockedBox<Value>: @unchecked Sendable {
  private var value: Value
  private let lock = NSLock()

  init(_ value: Value) { self.value = value }

  func read<T>(_ body: (Value) -> T) -> T { lock.withLock { body(value) } }
  func write<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}

import Foundation
import Observation
import OSLog
import StintCore

/// The user's settings, persisted as one JSON value in UserDefaults (keys excluded: they
/// live only in the Keychain through `SecretStore`). Changes save at once.
@MainActor
@Observable
final class SettingsStore {
  private static let key = "settings.v1"
  private let defaults: UserDefaults
  private let secrets: SecretStore
  private let logger = Logger(subsystem: "app.stint", category: "settings")

  var settings: StintSettings {
    didSet {
      save()
      onChange?(settings)
    }
  }

  /// Called after every change is saved (the app forwards enrichment settings to the engine).
  @ObservationIgnored var onChange: ((StintSettings) -> Void)?

  init(defaults: UserDefaults = .standard, secrets: SecretStore = .live) {
    self.defaults = defaults
    self.secrets = secrets
    if let data = defaults.data(forKey: Self.key) {
      do {
        settings = try StintSettings.decode(from: data)
      } catch {
        settings = StintSettings()
        Logger(subsystem: "app.stint", category: "settings").error("settings unreadable, using defaults: \(error.localizedDescription, privacy: .public)")
      }
    } else {
      settings = StintSettings()
    }
  }

  /// `~/Library/Application Support/Stint` unless the user chose another folder.
  var dataDirectory: URL {
    if let path = settings.dataFolderPath, !path.isEmpty { return URL(fileURLWithPath: path, isDirectory: true) }
    let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask).first
      ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent("Library/Application Support")
    return support.appendingPathComponent("Stint", isDirectory: true)
  }

  func hasKey(for provider: AIProvider) -> Bool {
    guard let name = provider.secretName else { return true }
    return ((try? secrets.get(name)) ?? nil)?.isEmpty == false
  }

  /// Stores or clears a key; never logged, never written to the settings file.
  func setKey(_ value: String?, for provider: AIProvider) throws {
    guard let name = provider.secretName else { return }
    try secrets.set(name, value?.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  private func save() {
    do {
      defaults.set(try settings.encoded(), forKey: Self.key)
    } catch {
      logger.error("settings not saved: \(error.localizedDescription, privacy: .public)")
    }
  }
}

import Foundation

/// `owner.json` in the data folder: who holds the folder's one-writer lock (`owner.lock`) and,
/// for a server, how to reach it. The engine's `OwnerRecordSchema` (engine/node/owner.ts) is the
/// other side; `Fixtures/owner-record-app.json` pins the fields for both.
///
/// The lock is the truth: a record left behind by a process that died is simply rewritten by
/// the next owner. The file is `0600` because a server's record carries its API token.
public struct OwnerRecord: Codable, Equatable, Sendable {
  public enum Kind: String, Codable, Sendable {
    /// `stint serve`: takes forwarded commands at `url` once set.
    case server
    /// Stint.app: takes none; `stint` write commands are refused while it runs.
    case app
    /// A short `stint` command.
    case command
  }

  public var v: Int
  public var pid: Int32
  /// What owns it: "Stint.app", "stint serve", "stint record", …
  public var app: String
  public var kind: Kind
  /// Epoch milliseconds.
  public var startedAt: Double
  public var url: String?
  public var token: String?

  public init(pid: Int32, app: String, kind: Kind, startedAt: Double, url: String? = nil, token: String? = nil) {
    self.v = 1
    self.pid = pid
    self.app = app
    self.kind = kind
    self.startedAt = startedAt
    self.url = url
    self.token = token
  }

  /// The record the app publishes while it owns the folder.
  public static func app(pid: Int32, startedAt: Date) -> OwnerRecord {
    OwnerRecord(pid: pid, app: "Stint.app", kind: .app, startedAt: (startedAt.timeIntervalSince1970 * 1000).rounded())
  }

  /// The file's bytes: one JSON line. `url` and `token` are left out when absent.
  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(self)
    data.append(0x0A)
    return data
  }

  /// A record read from the file; nil for a missing, foreign or malformed one (the lock, not the
  /// file, says whether the folder is owned).
  public static func decode(_ data: Data) -> OwnerRecord? {
    guard let record = try? JSONDecoder().decode(OwnerRecord.self, from: data), record.v == 1, record.pid > 0,
      !record.app.isEmpty
    else { return nil }
    return record
  }

  /// What the menu says when another process holds the folder's lock. Never shows the token.
  public static func ownedElsewhereMessage(_ holder: OwnerRecord?) -> String {
    guard let holder else {
      return "Another process owns Stint's data folder. Quit it, then choose Retry."
    }
    return "\(holder.app) (pid \(holder.pid)) owns Stint's data folder. Stop it, then choose Retry."
  }
}

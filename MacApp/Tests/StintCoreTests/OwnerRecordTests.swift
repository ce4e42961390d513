import Foundation
import Testing

@testable import StintCore

/// `owner.json` as the app writes it, byte for byte the fields the engine's `OwnerRecordSchema`
/// accepts (`Scripts/swift-check/fixtures.test.ts` parses the same fixture with it).
@Suite("owner.json")
struct OwnerRecordTests {
  private func fixture(_ name: String) throws -> JSONValue {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).json")
    return try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
  }

  @Test("the app's record matches the shared fixture")
  func appRecord() throws {
    let record = OwnerRecord.app(pid: 4242, startedAt: Date(timeIntervalSince1970: 1_700_000_000.123))
    let encoded = try JSONDecoder().decode(JSONValue.self, from: record.encoded())
    #expect(encoded == (try fixture("owner-record-app")))
  }

  @Test("a server's record written by stint serve decodes; the message names it without the token")
  func serverRecord() throws {
    let json = #"{"v":1,"pid":77,"app":"stint serve","kind":"server","startedAt":1,"url":"http://127.0.0.1:4815","token":"secret-token"}"#
    let record = try #require(OwnerRecord.decode(Data(json.utf8)))
    #expect(record.kind == .server)
    let message = OwnerRecord.ownedElsewhereMessage(record)
    #expect(message == "stint serve (pid 77) owns Stint's data folder. Stop it, then choose Retry.")
    #expect(!message.contains("secret-token"))
  }

  @Test("a malformed or foreign record reads as unknown")
  func malformed() {
    #expect(OwnerRecord.decode(Data("not json".utf8)) == nil)
    #expect(OwnerRecord.decode(Data(#"{"v":2,"pid":1,"app":"x","kind":"app","startedAt":0}"#.utf8)) == nil)
    #expect(OwnerRecord.decode(Data(#"{"v":1,"pid":0,"app":"x","kind":"app","startedAt":0}"#.utf8)) == nil)
    #expect(OwnerRecord.ownedElsewhereMessage(nil) == "Another process owns Stint's data folder. Quit it, then choose Retry.")
  }
}

import Foundation
import Testing

@testable import StintCore

@Suite("BridgeCodec")
struct BridgeCodecTests {
  @Test("a request round-trips with the envelope's exact field names")
  func requestRoundTrip() throws {
    let message = BridgeMessage(id: .int(7), method: "session.start", params: ["name": "Focus", "fps": 30, "ratio": 0.5])
    let json = try BridgeCodec.encode(message)
    #expect(json.contains("\"v\":1"))
    #expect(json.contains("\"id\":7"))
    #expect(json.contains("\"method\":\"session.start\""))
    #expect(json.contains("\"params\":{"))
    #expect(try BridgeCodec.decodeMessage(json) == message)
  }

  @Test("a notification has no id field at all")
  func notification() throws {
    let json = try BridgeCodec.encode(BridgeMessage(method: "recording.health", params: [:]))
    #expect(!json.contains("\"id\""))
    #expect(try BridgeCodec.decodeMessage(json).isNotification)
  }

  @Test("engine replies decode: result, null result, error with data, null id")
  func replies() throws {
    let ok = try BridgeCodec.decodeReply(#"{"v":1,"id":"a1","result":{"sessionId":"s","n":3}}"#)
    #expect(ok.id == .string("a1"))
    #expect(try ok.get()["n"] == .int(3))

    let empty = try BridgeCodec.decodeReply(#"{"v":1,"id":2,"result":null}"#)
    #expect(try empty.get() == .null)

    let failed = try BridgeCodec.decodeReply(
      #"{"v":1,"id":null,"error":{"code":"session.invalid_transition","message":"idle","retryable":false,"data":{"state":"idle"}}}"#
    )
    #expect(failed.id == nil)
    #expect(throws: BridgeErrorData.self) { try failed.get() }
    guard case .error(let error) = failed.outcome else {
      Issue.record("expected an error")
      return
    }
    #expect(error.code == "session.invalid_transition")
    #expect(error.retryable == false)
    #expect(error.data?["state"] == "idle")
  }

  @Test("replies round-trip and always carry id, null when unknown")
  func replyRoundTrip() throws {
    let replies = [
      BridgeReply(id: .int(1), outcome: .result(["a": [1, 2.5, "x", true, nil]])),
      BridgeReply(id: nil, outcome: .error(BridgeErrorData(code: "engine.timeout", message: "m", retryable: true))),
    ]
    for reply in replies {
      let json = try BridgeCodec.encode(reply)
      #expect(json.contains("\"id\":"))
      #expect(try BridgeCodec.decodeReply(json) == reply)
    }
  }

  @Test("events round-trip")
  func events() throws {
    let event = BridgeEvent(method: "session.state", params: ["state": "active", "elapsedMs": 1200])
    #expect(try BridgeCodec.decodeEvent(try BridgeCodec.encode(event)) == event)
  }

  @Test("malformed envelopes are typed errors", arguments: [
    #"not json"#, #"{"v":2,"method":"a.b"}"#, #"{"v":1,"method":"nodot"}"#, #"{"v":1,"method":"Session.start"}"#,
  ])
  func malformed(json: String) {
    #expect(throws: BridgeCodecError.self) { try BridgeCodec.decodeMessage(json) }
  }

  @Test("oversized messages are refused before parsing")
  func oversized() {
    let big = #"{"v":1,"method":"a.b","params":""# + String(repeating: "x", count: 1_000_001) + #""}"#
    #expect(throws: BridgeCodecError.tooLarge(big.utf8.count)) { try BridgeCodec.decodeMessage(big) }
  }

  @Test("integers stay integers; large sizes survive")
  func numbers() throws {
    let value: JSONValue = ["size": .int(5_000_000_000), "ratio": 0.25]
    let json = try BridgeCodec.encode(BridgeEvent(method: "a.b", params: value))
    #expect(json.contains("5000000000"))
    #expect(try BridgeCodec.decodeEvent(json).params == value)
  }

  @Test("recorder notifications carry paths and digests under their method")
  func recordingNotification() throws {
    let shot = ScreenshotCaptured(
      sessionId: "s1", sequence: 3, path: "/tmp/s1/shot-0003.png", sha256: String(repeating: "a", count: 64),
      size: 1234, width: 1440, height: 900, capturedAt: 1_700_000_000_123, perceptualHash: "00ff00ff00ff00ff")
    let message = try RecordingNotification.screenshot(shot).message()
    #expect(message.method == "recording.screenshot")
    #expect(message.isNotification)
    #expect(message.params?["sha256"]?.stringValue?.count == 64)
    #expect(message.params?["capturedAt"] == .int(1_700_000_000_123), "epoch ms must be an integer")
    #expect(message.params?["bytes"] == nil)
    #expect(try message.params?.decode(ScreenshotCaptured.self) == shot)
  }

  @Test("health samples carry `kind` and exactly that kind's fields")
  func healthSamples() throws {
    let buffer = CaptureHealthSample(sessionId: "s", at: 5, signal: .buffer(service: .video, fill: 0.93))
    let params = try #require(try RecordingNotification.health(buffer).message().params?.objectValue)
    #expect(Set(params.keys) == ["kind", "sessionId", "at", "service", "fill"])
    #expect(params["kind"] == "buffer")
    let samples: [CaptureHealthSample.Signal] = [
      .level(peak: 0), .drops(service: .screenshots, dropped: 2, reason: nil), .disk(freeBytes: 10, totalBytes: nil),
      .permission(.microphone, state: "denied"), .writeFailed(service: .audio, code: "ENOSPC", message: "full"),
    ]
    for signal in samples {
      let sample = CaptureHealthSample(sessionId: "s", at: 1, signal: signal)
      #expect(try JSONValue(encoding: sample).decode(CaptureHealthSample.self) == sample)
    }
  }

  @Test("every method the shell sends is a valid name; only session.end gets the stop bound")
  func methodTable() {
    for method in BridgeMethod.allCases {
      #expect(BridgeCodec.isValidMethodName(method.rawValue), "\(method.rawValue)")
      #expect(method.timeout == (method == .sessionEnd ? BridgeTimeouts.stop : BridgeTimeouts.standard))
    }
    #expect(BridgeTimeouts.timeout(forMethod: "review.something") == .seconds(5))
    // Relayed panel requests wait as long as the panel does (15 s; 60 s to end or repair).
    #expect(BridgeTimeouts.relayTimeout(forMethod: "review.get") == .seconds(15))
    #expect(BridgeTimeouts.relayTimeout(forMethod: "session.end") == .seconds(60))
    #expect(BridgeTimeouts.relayTimeout(forMethod: "storage.repair") == .seconds(60))
    #expect(BridgeTimeouts.stop > BridgeTimeouts.standard)
  }
}

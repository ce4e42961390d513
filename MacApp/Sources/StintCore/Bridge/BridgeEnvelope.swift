import Foundation

/// The bridge protocol version carried as `v` in every envelope (engine/src/bridge/envelope.ts).
public let bridgeProtocolVersion = 1

/// A request id: the engine accepts a non-empty string (≤ 100 characters) or an integer.
public enum RequestID: Sendable, Hashable, Codable, CustomStringConvertible {
  case int(Int64)
  case string(String)

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let value = try? container.decode(Int64.self) {
      self = .int(value)
    } else {
      self = .string(try container.decode(String.self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .int(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    }
  }

  public var description: String {
    switch self {
    case .int(let value): String(value)
    case .string(let value): value
    }
  }
}

/// `{ v: 1, id?, method, params }`: a request when `id` is set, a notification otherwise.
public struct BridgeMessage: Sendable, Hashable, Codable {
  public var v: Int
  public var id: RequestID?
  public var method: String
  public var params: JSONValue?

  public init(id: RequestID? = nil, method: String, params: JSONValue? = nil) {
    self.v = bridgeProtocolVersion
    self.id = id
    self.method = method
    self.params = params
  }

  public var isNotification: Bool { id == nil }
}

/// `error` of a failed reply: `{ code, message, retryable, data? }`.
public struct BridgeErrorData: Sendable, Hashable, Codable, Error {
  public var code: String
  public var message: String
  public var retryable: Bool
  public var data: JSONValue?

  public init(code: String, message: String, retryable: Bool, data: JSONValue? = nil) {
    self.code = code
    self.message = message
    self.retryable = retryable
    self.data = data
  }
}

/// `{ v: 1, id, result }` or `{ v: 1, id, error }`. `id` is `null` when the engine could not read one.
public struct BridgeReply: Sendable, Hashable {
  public enum Outcome: Sendable, Hashable {
    case result(JSONValue)
    case error(BridgeErrorData)
  }

  public var v: Int
  public var id: RequestID?
  public var outcome: Outcome

  public init(id: RequestID?, outcome: Outcome) {
    self.v = bridgeProtocolVersion
    self.id = id
    self.outcome = outcome
  }

  /// The result, or the engine's error thrown as `BridgeErrorData`.
  public func get() throws -> JSONValue {
    switch outcome {
    case .result(let value): return value
    case .error(let error): throw error
    }
  }
}

extension BridgeReply: Codable {
  private enum CodingKeys: String, CodingKey {
    case v, id, result, error
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    v = try container.decode(Int.self, forKey: .v)
    id = try container.decodeIfPresent(RequestID.self, forKey: .id)
    if let error = try container.decodeIfPresent(BridgeErrorData.self, forKey: .error) {
      outcome = .error(error)
    } else if container.contains(.result) {
      // `result: null` is a valid success (the router maps `undefined` to `null`).
      outcome = .result(try container.decode(JSONValue.self, forKey: .result))
    } else {
      throw DecodingError.dataCorruptedError(
        forKey: .result, in: container, debugDescription: "reply has neither result nor error")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(v, forKey: .v)
    // The engine's reply schema has `id` nullable, not optional: always write it.
    if let id { try container.encode(id, forKey: .id) } else { try container.encodeNil(forKey: .id) }
    switch outcome {
    case .result(let value): try container.encode(value, forKey: .result)
    case .error(let error): try container.encode(error, forKey: .error)
    }
  }
}

/// An engine event going out: `{ v: 1, method, params }` (never has an id).
public struct BridgeEvent: Sendable, Hashable, Codable {
  public var v: Int
  public var method: String
  public var params: JSONValue

  public init(method: String, params: JSONValue) {
    self.v = bridgeProtocolVersion
    self.method = method
    self.params = params
  }
}

/// Encodes and decodes envelopes as JSON text, the form that crosses JavaScriptCore and WKWebView.
public enum BridgeCodec {
  /// The engine refuses inbound messages longer than this (`MAX_MESSAGE_BYTES`).
  public static let maxMessageBytes = 1_000_000

  /// Method names are dot-namespaced: `session.start`, `recording.screenshot`.
  public static func isValidMethodName(_ name: String) -> Bool {
    guard name.count <= 100 else { return false }
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count >= 2 else { return false }
    return parts.allSatisfy { part in
      guard let first = part.first, first.isASCII, first.isLowercase else { return false }
      return part.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }
    }
  }

  public static func encode(_ message: BridgeMessage) throws -> String {
    guard isValidMethodName(message.method) else { throw BridgeCodecError.invalidMethod(message.method) }
    return try text(of: message)
  }

  public static func encode(_ reply: BridgeReply) throws -> String { try text(of: reply) }
  public static func encode(_ event: BridgeEvent) throws -> String { try text(of: event) }

  public static func decodeMessage(_ json: String) throws -> BridgeMessage {
    guard json.utf8.count <= maxMessageBytes else { throw BridgeCodecError.tooLarge(json.utf8.count) }
    let message = try decode(BridgeMessage.self, from: json)
    guard message.v == bridgeProtocolVersion else { throw BridgeCodecError.unsupportedVersion(message.v) }
    guard isValidMethodName(message.method) else { throw BridgeCodecError.invalidMethod(message.method) }
    return message
  }

  public static func decodeReply(_ json: String) throws -> BridgeReply {
    let reply = try decode(BridgeReply.self, from: json)
    guard reply.v == bridgeProtocolVersion else { throw BridgeCodecError.unsupportedVersion(reply.v) }
    return reply
  }

  public static func decodeEvent(_ json: String) throws -> BridgeEvent {
    let event = try decode(BridgeEvent.self, from: json)
    guard event.v == bridgeProtocolVersion else { throw BridgeCodecError.unsupportedVersion(event.v) }
    return event
  }

  private static func text(of value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    guard let text = String(data: data, encoding: .utf8) else { throw BridgeCodecError.notUTF8 }
    return text
  }

  private static func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
    do {
      return try JSONDecoder().decode(type, from: Data(json.utf8))
    } catch {
      throw BridgeCodecError.malformed(String(describing: error))
    }
  }
}

public enum BridgeCodecError: Error, Equatable, CustomStringConvertible {
  case malformed(String)
  case unsupportedVersion(Int)
  case invalidMethod(String)
  case tooLarge(Int)
  case notUTF8

  public var description: String {
    switch self {
    case .malformed(let detail): "malformed envelope: \(detail)"
    case .unsupportedVersion(let v): "unsupported bridge version \(v)"
    case .invalidMethod(let method): "invalid method name \(method)"
    case .tooLarge(let bytes): "message of \(bytes) bytes exceeds \(BridgeCodec.maxMessageBytes)"
    case .notUTF8: "envelope is not UTF-8"
    }
  }
}

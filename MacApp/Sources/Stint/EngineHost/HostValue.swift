import Foundation
import JavaScriptCore
import StintCore

/// A Sendable snapshot of a JavaScript value, taken on the engine queue so native work can
/// run elsewhere. Bytes are `Uint8Array` ⇄ `Data`, never base64 (host-port.ts conventions).
enum HostValue: Sendable {
  case undefined
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case bytes(Data)
  case array([HostValue])
  case object([String: HostValue])

  subscript(key: String) -> HostValue {
    if case .object(let members) = self { return members[key] ?? .undefined }
    return .undefined
  }

  var string: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  var number: Double? {
    if case .number(let value) = self { return value }
    return nil
  }

  var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  var bytes: Data? {
    if case .bytes(let value) = self { return value }
    return nil
  }

  var array: [HostValue]? {
    if case .array(let values) = self { return values }
    return nil
  }

  var isAbsent: Bool {
    switch self {
    case .undefined, .null: true
    default: false
    }
  }

  func requireString(_ what: String) throws -> String {
    guard let string else { throw HostError(code: "EINVAL", message: "\(what) must be a string") }
    return string
  }

  func requireBytes(_ what: String) throws -> Data {
    guard let bytes else { throw HostError(code: "EINVAL", message: "\(what) must be a Uint8Array") }
    return bytes
  }

  func requireNumber(_ what: String) throws -> Double {
    guard let number, number.isFinite else { throw HostError(code: "EINVAL", message: "\(what) must be a number") }
    return number
  }
}

// MARK: - JavaScript ⇄ HostValue (engine queue only)

extension HostValue {
  /// Reads a JS value. Typed arrays are copied out: the JS heap owns their memory and the
  /// copy is what lets native work continue off the engine queue.
  init(_ value: JSValue) {
    if value.isUndefined {
      self = .undefined
    } else if value.isNull {
      self = .null
    } else if value.isBoolean {
      self = .bool(value.toBool())
    } else if value.isNumber {
      self = .number(value.toDouble())
    } else if value.isString {
      self = .string(value.toString() ?? "")
    } else if let data = HostValue.typedArrayBytes(value) {
      self = .bytes(data)
    } else if value.isArray {
      let length = Int(value.forProperty("length")?.toInt32() ?? 0)
      self = .array((0..<length).map { HostValue(value.atIndex($0)) })
    } else if value.isObject, let context = value.context {
      let keys = context.objectForKeyedSubscript("Object")?.invokeMethod("keys", withArguments: [value])?.toArray() as? [String] ?? []
      var members: [String: HostValue] = [:]
      for key in keys {
        guard let member = value.forProperty(key) else { continue }
        // Functions are not data; callbacks are handled by the capability that takes them.
        if HostValue.isFunction(member) { continue }
        members[key] = HostValue(member)
      }
      self = .object(members)
    } else {
      self = .undefined
    }
  }

  private static func typedArrayBytes(_ value: JSValue) -> Data? {
    guard let context = value.context, value.isObject else { return nil }
    let ctx = context.jsGlobalContextRef
    let ref = value.jsValueRef
    var exception: JSValueRef?
    guard JSValueGetTypedArrayType(ctx, ref, &exception) != kJSTypedArrayTypeNone, exception == nil,
      let object = JSValueToObject(ctx, ref, &exception)
    else { return nil }
    let length = JSObjectGetTypedArrayByteLength(ctx, object, &exception)
    guard length > 0 else { return Data() }
    guard let pointer = JSObjectGetTypedArrayBytesPtr(ctx, object, &exception), exception == nil else { return nil }
    // The pointer is the start of the backing ArrayBuffer, not of the view: a `subarray`
    // (which the engine hands over routinely) starts `byteOffset` bytes in.
    let offset = JSObjectGetTypedArrayByteOffset(ctx, object, &exception)
    return Data(bytes: pointer.advanced(by: offset), count: length)
  }

  static func isFunction(_ value: JSValue) -> Bool {
    guard value.isObject, let ctx = value.context?.jsGlobalContextRef,
      let object = JSValueToObject(ctx, value.jsValueRef, nil)
    else { return false }
    return JSObjectIsFunction(ctx, object)
  }

  /// Makes the JS value. `Data` becomes a real `Uint8Array` over a malloc'd copy that JSC
  /// frees through the deallocator when the array is collected.
  func jsValue(in context: JSContext) -> JSValue {
    switch self {
    case .undefined: return JSValue(undefinedIn: context)
    case .null: return JSValue(nullIn: context)
    case .bool(let value): return JSValue(bool: value, in: context)
    case .number(let value): return JSValue(double: value, in: context)
    case .string(let value): return JSValue(object: value, in: context)
    case .bytes(let data): return HostValue.makeUint8Array(data, in: context)
    case .array(let values):
      let array = JSValue(newArrayIn: context)!
      for (index, value) in values.enumerated() { array.setValue(value.jsValue(in: context), at: index) }
      return array
    case .object(let members):
      let object = JSValue(newObjectIn: context)!
      for (key, value) in members { object.setValue(value.jsValue(in: context), forProperty: key) }
      return object
    }
  }

  private static func makeUint8Array(_ data: Data, in context: JSContext) -> JSValue {
    let ctx = context.jsGlobalContextRef
    let count = data.count
    // malloc(0) may return NULL; JSC accepts a 1-byte allocation for an empty array.
    guard let buffer = malloc(max(1, count)) else { return JSValue(undefinedIn: context) }
    data.withUnsafeBytes { raw in
      if let base = raw.baseAddress { memcpy(buffer, base, count) }
    }
    var exception: JSValueRef?
    let deallocator: JSTypedArrayBytesDeallocator = { bytes, _ in free(bytes) }
    guard
      let object = JSObjectMakeTypedArrayWithBytesNoCopy(
        ctx, kJSTypedArrayTypeUint8Array, buffer, count, deallocator, nil, &exception),
      exception == nil
    else {
      free(buffer)
      return JSValue(undefinedIn: context)
    }
    return JSValue(jsValueRef: object, in: context)
  }
}

// MARK: - JSONValue bridge

extension HostValue {
  init(_ json: JSONValue) {
    switch json {
    case .null: self = .null
    case .bool(let value): self = .bool(value)
    case .int(let value): self = .number(Double(value))
    case .double(let value): self = .number(value)
    case .string(let value): self = .string(value)
    case .array(let values): self = .array(values.map(HostValue.init))
    case .object(let members): self = .object(members.mapValues(HostValue.init))
    }
  }

  /// JSON form of the value; bytes have no JSON form and are refused.
  func json() throws -> JSONValue {
    switch self {
    case .undefined, .null: return .null
    case .bool(let value): return .bool(value)
    case .number(let value):
      return value.rounded() == value && abs(value) < 9.0e15 ? .int(Int64(value)) : .double(value)
    case .string(let value): return .string(value)
    case .bytes: throw HostError(code: "EINVAL", message: "bytes cannot be carried as JSON")
    case .array(let values): return .array(try values.map { try $0.json() })
    case .object(let members): return .object(try members.mapValues { try $0.json() })
    }
  }

  /// Decodes a typed value (a `RecorderConfig`) from this value.
  func decode<T: Decodable>(_ type: T.Type) throws -> T {
    do {
      return try json().decode(type)
    } catch {
      throw HostError(code: "EINVAL", message: "invalid \(T.self): \(error)")
    }
  }

  init(encoding value: some Encodable) throws {
    self.init(try JSONValue(encoding: value))
  }
}

import Foundation
import JavaScriptCore

/// An error a host function rejects with: an `Error` in JS whose `code` is a
/// `HostFileErrorCode` (`ENOENT`, …) or an http code (`network`, `timeout`, `aborted`).
struct HostError: Error, Sendable, CustomStringConvertible {
  var code: String
  var message: String

  var description: String { "\(code): \(message)" }

  /// Maps Foundation and POSIX errors onto the host port's file codes.
  static func file(_ error: any Error, path: String) -> HostError {
    if let error = error as? HostError { return error }
    let ns = error as NSError
    let errno: Int32? =
      if ns.domain == NSPOSIXErrorDomain {
        Int32(ns.code)
      } else if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        Int32(underlying.code)
      } else {
        nil
      }
    if let errno { return HostError(code: posixCode(errno), message: "\(path): \(String(cString: strerror(errno)))") }
    let code: String =
      switch CocoaError.Code(rawValue: ns.code) {
      case .fileNoSuchFile, .fileReadNoSuchFile: "ENOENT"
      case .fileWriteFileExists: "EEXIST"
      case .fileReadNoPermission, .fileWriteNoPermission: "EACCES"
      case .fileWriteOutOfSpace: "ENOSPC"
      case .fileWriteVolumeReadOnly: "EACCES"
      default: "EIO"
      }
    return HostError(code: code, message: "\(path): \(ns.localizedDescription)")
  }

  static func posix(_ errno: Int32, path: String) -> HostError {
    HostError(code: posixCode(errno), message: "\(path): \(String(cString: strerror(errno)))")
  }

  static func posixCode(_ errno: Int32) -> String {
    switch errno {
    case ENOENT: "ENOENT"
    case EEXIST: "EEXIST"
    case ENOTDIR: "ENOTDIR"
    case EISDIR: "EISDIR"
    case ENOTEMPTY: "ENOTEMPTY"
    case EACCES, EPERM, EROFS: "EACCES"
    case ENOSPC, EDQUOT: "ENOSPC"
    case EINVAL, ENAMETOOLONG: "EINVAL"
    default: "EIO"
    }
  }

  /// The JS `Error` object, with `code` set (engine queue only).
  func jsError(in context: JSContext) -> JSValue {
    let error = JSValue(newErrorFromMessage: message, in: context)!
    error.setValue(code, forProperty: "code")
    return error
  }
}

/// Errors of the shell's calls into the engine.
enum EngineHostError: LocalizedError, Equatable {
  case bundleMissing
  case loadFailed(String)
  case notStarted
  case javaScript(String)
  case timeout(method: String, after: Duration)
  case invalidReply(String)
  case engine(code: String, message: String, retryable: Bool)
  /// Another process holds the data folder's lock; the message names it.
  case folderOwned(String)

  var errorDescription: String? {
    switch self {
    case .bundleMissing: "engine.js is missing from the app bundle."
    case .loadFailed(let detail): "The engine failed to load: \(detail)"
    case .notStarted: "The engine has not started."
    case .javaScript(let detail): "The engine threw: \(detail)"
    case .timeout(let method, let after): "The engine did not answer \(method) within \(after)."
    case .invalidReply(let detail): "The engine sent an invalid reply: \(detail)"
    case .engine(_, let message, _): message
    case .folderOwned(let message): message
    }
  }

  /// A stable code for logs and the UI, in the engine's vocabulary where one exists.
  var code: String {
    switch self {
    case .timeout: "engine.timeout"
    case .notStarted: "engine.not_started"
    case .engine(let code, _, _): code
    case .folderOwned: "storage.locked"
    default: "engine.internal"
    }
  }
}

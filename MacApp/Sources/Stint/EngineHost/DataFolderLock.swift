import Darwin
import Foundation
import StintCore

/// The data folder's one-writer lock: `flock(LOCK_EX | LOCK_NB)` on `open(owner.lock, O_RDWR |
/// O_CREAT, 0600)`, the same call `stint` (Node, through fs-ext) and the JavaScriptCore test host
/// make, so every kind of owner excludes every other (docs/data-folder-owner.md).
///
/// The app is a long-lived owner: it takes the lock before the engine starts and keeps it for
/// its lifetime. The kernel drops a flock when the process ends, so a crashed app leaves nothing
/// stale behind and no timeout can ever let a second writer in. Locks on other paths the engine
/// asks for through `lock.tryLock` are likewise held until the app quits.
final class DataFolderLock: @unchecked Sendable {
  static let lockName = "owner.lock"
  static let recordName = "owner.json"

  enum Claim: Equatable {
    case owned
    /// Another process holds the lock; its `owner.json`, when readable.
    case ownedElsewhere(OwnerRecord?)
  }

  let directory: URL
  private let state = NSLock()
  /// Absolute path → descriptor holding the lock. Guarded by `state`.
  private var descriptors: [String: Int32] = [:]
  private var published = false

  init(directory: URL) { self.directory = directory }

  deinit {
    for fd in descriptors.values { close(fd) }
  }

  /// Takes the lock on an absolute path without waiting: true when this process holds it
  /// (already, or now), false when another process does.
  func tryLock(path: String) throws -> Bool {
    state.lock()
    defer { state.unlock() }
    if descriptors[path] != nil { return true }
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw HostError.posix(errno, path: path) }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      let error = errno
      close(fd)
      if error == EWOULDBLOCK { return false }
      throw HostError.posix(error, path: path)
    }
    descriptors[path] = fd
    return true
  }

  /// Takes the folder's lock and publishes `owner.json` naming the app. Safe to call again (an
  /// engine restart): the lock is already ours and the record is rewritten.
  func claimFolder(now: Date = Date()) throws -> Claim {
    try FileManager.default.createDirectory(
      at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: NSNumber(value: 0o700)])
    guard try tryLock(path: directory.appendingPathComponent(Self.lockName).path) else {
      let data = try? Data(contentsOf: directory.appendingPathComponent(Self.recordName))
      return .ownedElsewhere(data.flatMap(OwnerRecord.decode))
    }
    try publish(.app(pid: getpid(), startedAt: now))
    return .owned
  }

  /// Removes `owner.json` and gives every lock up (the app is quitting; the engine has stopped).
  func releaseFolder() {
    state.lock()
    defer { state.unlock() }
    if published {
      unlink(directory.appendingPathComponent(Self.recordName).path)
      published = false
    }
    for fd in descriptors.values {
      flock(fd, LOCK_UN)
      close(fd)
    }
    descriptors.removeAll()
  }

  /// Writes the record `0600` from the first byte: temporary sibling, fsync, rename.
  private func publish(_ record: OwnerRecord) throws {
    let target = directory.appendingPathComponent(Self.recordName).path
    let temporary = "\(target).\(getpid()).tmp"
    let bytes = try record.encoded()
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw HostError.posix(errno, path: temporary) }
    var written = 0
    let failure: Int32? = bytes.withUnsafeBytes { buffer -> Int32? in
      while written < buffer.count {
        let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
        if n < 0 {
          if errno == EINTR { continue }
          return errno
        }
        written += n
      }
      return fsync(fd) == 0 ? nil : errno
    }
    close(fd)
    if let failure {
      unlink(temporary)
      throw HostError.posix(failure, path: temporary)
    }
    guard rename(temporary, target) == 0 else {
      let error = errno
      unlink(temporary)
      throw HostError.posix(error, path: target)
    }
    state.lock()
    published = true
    state.unlock()
  }
}

import CryptoKit
import Foundation

/// The host port's files, rooted at the data directory, with the durability recipe of
/// DESIGN.md §5: write a temporary sibling, flush it with F_FULLFSYNC (plain fsync leaves
/// data in the drive's cache on macOS), read it back and verify size and SHA-256, rename,
/// then flush the directory. Blocking I/O runs on its own queue, never on the engine's.
final class HostFileSystem: Sendable {
  struct Digest: Sendable {
    var size: Int64
    var sha256: String
  }

  struct Stat: Sendable {
    var isDirectory: Bool
    var size: Int64
    var mtimeMs: Double
  }

  struct Space: Sendable {
    var free: Int64
    var total: Int64
  }

  let root: URL
  private let io = DispatchQueue(label: "app.stint.files", qos: .utility, attributes: .concurrent)

  init(root: URL) { self.root = root }

  /// Relative paths resolve under the data directory; absolute ones (capture files) as given.
  /// `..` is refused so an engine-supplied id can never climb out of the data directory.
  func url(_ path: String) throws -> URL {
    guard !path.isEmpty, !path.split(separator: "/").contains("..") else {
      throw HostError(code: "EINVAL", message: "invalid path \(path)")
    }
    return path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
  }

  func perform<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      io.async { continuation.resume(with: Result { try work() }) }
    }
  }

  // MARK: Operations

  /// `files.confine`: a regular file (no symbolic link, no second hard link) whose resolved
  /// location lies inside `area`; `EACCES` otherwise, `ENOENT` when missing.
  func confine(_ path: String, area: String) throws {
    let target = try url(path)
    let folder = try url(area)
    var info = stat()
    guard lstat(target.path, &info) == 0 else { throw HostError.posix(errno, path: path) }
    guard info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1 else {
      throw HostError(code: "EACCES", message: "\(path) is not a plain file")
    }
    let resolved = target.resolvingSymlinksInPath().path
    let inside = folder.resolvingSymlinksInPath().path
    guard resolved.hasPrefix(inside + "/") else { throw HostError(code: "EACCES", message: "\(path) is outside \(area)") }
  }

  func read(_ path: String) throws -> Data {
    let file = try url(path)
    do { return try Data(contentsOf: file, options: .uncached) } catch { throw HostError.file(error, path: path) }
  }

  func writeAtomic(_ path: String, _ data: Data, flushDirectory: Bool) throws -> Digest {
    let target = try url(path)
    let directory = target.deletingLastPathComponent()
    try mkdirp(directory.path)
    let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
    do {
      try writeAndFlush(data, to: temporary, append: false)
      // Verify before publishing: a write that failed silently must not replace good data.
      let back = try Data(contentsOf: temporary, options: .uncached)
      let expected = Self.hex(SHA256.hash(data: data))
      guard back.count == data.count, Self.hex(SHA256.hash(data: back)) == expected else {
        throw HostError(code: "EIO", message: "\(path): read-back verification failed")
      }
      guard Darwin.rename(temporary.path, target.path) == 0 else { throw HostError.posix(errno, path: path) }
      if flushDirectory { try flushDir(directory.path) }
      return Digest(size: Int64(data.count), sha256: expected)
    } catch {
      unlink(temporary.path)
      throw HostError.file(error, path: path)
    }
  }

  func append(_ path: String, _ data: Data) throws {
    let target = try url(path)
    try mkdirp(target.deletingLastPathComponent().path)
    try writeAndFlush(data, to: target, append: true)
  }

  func flushDir(_ path: String) throws {
    let target = try url(path)
    let fd = open(target.path, O_RDONLY | O_DIRECTORY)
    guard fd >= 0 else { throw HostError.posix(errno, path: path) }
    defer { close(fd) }
    try fullSync(fd, path: path)
  }

  func list(_ path: String) throws -> [String] {
    let target = try url(path)
    do {
      return try FileManager.default.contentsOfDirectory(atPath: target.path)
        .filter { !($0.hasPrefix(".") && $0.hasSuffix(".tmp")) }
        .sorted()
    } catch {
      throw HostError.file(error, path: path)
    }
  }

  func stat(_ path: String) throws -> Stat? {
    let target = try url(path)
    var info = Darwin.stat()
    guard lstat(target.path, &info) == 0 else {
      if errno == ENOENT || errno == ENOTDIR { return nil }
      throw HostError.posix(errno, path: path)
    }
    let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
    let mtime = Double(info.st_mtimespec.tv_sec) * 1000 + Double(info.st_mtimespec.tv_nsec) / 1e6
    return Stat(isDirectory: isDirectory, size: Int64(info.st_size), mtimeMs: mtime)
  }

  func remove(_ path: String, recursive: Bool) throws {
    let target = try url(path)
    guard let existing = try stat(path) else { return }
    if existing.isDirectory && !recursive {
      guard rmdir(target.path) == 0 else { throw HostError.posix(errno, path: path) }
      return
    }
    do { try FileManager.default.removeItem(at: target) } catch { throw HostError.file(error, path: path) }
  }

  func rename(_ from: String, _ to: String) throws {
    let source = try url(from)
    let destination = try url(to)
    try mkdirp(destination.deletingLastPathComponent().path)
    // rename(2) replaces atomically; FileManager.moveItem refuses an existing destination.
    guard Darwin.rename(source.path, destination.path) == 0 else { throw HostError.posix(errno, path: from) }
  }

  func mkdirp(_ path: String) throws {
    let target = try url(path)
    do {
      try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    } catch {
      throw HostError.file(error, path: path)
    }
  }

  func copy(_ from: String, _ to: String) throws {
    let data = try read(from)
    _ = try writeAtomic(to, data, flushDirectory: true)
  }

  func diskSpace(_ path: String) throws -> Space {
    let target = try url(path)
    let probe = FileManager.default.fileExists(atPath: target.path) ? target : root
    do {
      let values = try probe.resourceValues(forKeys: [.volumeAvailableCapacityForImportantUsageKey, .volumeTotalCapacityKey])
      return Space(free: values.volumeAvailableCapacityForImportantUsage ?? 0, total: Int64(values.volumeTotalCapacity ?? 0))
    } catch {
      throw HostError.file(error, path: path)
    }
  }

  /// Streams a file through SHA-256 in 1 MiB reads; memory stays flat for hour-long audio.
  func sha256File(_ path: String) throws -> Digest {
    let target = try url(path)
    let handle: FileHandle
    do { handle = try FileHandle(forReadingFrom: target) } catch { throw HostError.file(error, path: path) }
    defer { try? handle.close() }
    var hasher = SHA256()
    var size: Int64 = 0
    while true {
      let chunk: Data?
      do { chunk = try handle.read(upToCount: 1 << 20) } catch { throw HostError.file(error, path: path) }
      guard let chunk, !chunk.isEmpty else { break }
      hasher.update(data: chunk)
      size += Int64(chunk.count)
    }
    return Digest(size: size, sha256: Self.hex(hasher.finalize()))
  }

  // MARK: Helpers

  private func writeAndFlush(_ data: Data, to url: URL, append: Bool) throws {
    let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
    let fd = open(url.path, flags, 0o644)
    guard fd >= 0 else { throw HostError.posix(errno, path: url.path) }
    defer { close(fd) }
    try data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = write(fd, raw.baseAddress!.advanced(by: offset), raw.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          throw HostError.posix(errno, path: url.path)
        }
        offset += written
      }
    }
    try fullSync(fd, path: url.path)
  }

  private func fullSync(_ fd: Int32, path: String) throws {
    // F_FULLFSYNC asks the drive to flush its cache; some file systems (SMB, FAT) refuse it,
    // and fsync is the best they offer.
    if fcntl(fd, F_FULLFSYNC) == 0 { return }
    guard fsync(fd) == 0 else { throw HostError.posix(errno, path: path) }
  }

  static func hex(_ digest: SHA256.Digest) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
  }
}

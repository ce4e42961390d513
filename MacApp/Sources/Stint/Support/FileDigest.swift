import CryptoKit
import Foundation

/// A file the recorder finished: where it is, how big, and its SHA-256, computed by
/// streaming it once after the writer closed it (the engine trusts it: `nativeHash`).
struct FileDigest: Sendable, Hashable {
  var url: URL
  var size: Int64
  var sha256: String

  static func compute(_ url: URL) throws -> FileDigest {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var hasher = SHA256()
    var size: Int64 = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      hasher.update(data: chunk)
      size += Int64(chunk.count)
    }
    let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    return FileDigest(url: url, size: size, sha256: hex)
  }

  /// Hashes bytes about to be written, so a screenshot is hashed without reading it back.
  static func of(_ data: Data, at url: URL) -> FileDigest {
    FileDigest(url: url, size: Int64(data.count), sha256: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
  }
}

extension Date {
  /// Integer epoch milliseconds, as every bridge timestamp is.
  var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

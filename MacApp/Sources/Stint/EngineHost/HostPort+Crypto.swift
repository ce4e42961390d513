import CryptoKit
import Foundation
import Security

extension EngineHost {
  func installCrypto(on root: HostObjectBuilder) {
    let fs = self.files
    let crypto = root.capability("crypto")
    crypto.async("sha256") { arguments in
      let bytes = try arguments[argument: 0].requireBytes("bytes")
      return .string(HostFileSystem.hex(SHA256.hash(data: bytes)))
    }
    crypto.async("sha256File") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      let digest = try await fs.perform { try fs.sha256File(path) }
      return .object(["size": .number(Double(digest.size)), "sha256": .string(digest.sha256)])
    }
    crypto.sync("randomUUID") { _ in .string(UUID().uuidString.lowercased()) }
    crypto.sync("randomBytes") { arguments in
      let length = Int(arguments[argument: 0]?.toDouble() ?? 0)
      guard length >= 0, length <= 65_536 else { throw HostError(code: "EINVAL", message: "randomBytes length \(length)") }
      var bytes = Data(count: length)
      let status = bytes.withUnsafeMutableBytes { raw in
        raw.baseAddress.map { SecRandomCopyBytes(kSecRandomDefault, length, $0) } ?? errSecSuccess
      }
      guard status == errSecSuccess else { throw HostError(code: "EIO", message: "SecRandomCopyBytes failed (\(status))") }
      return .bytes(bytes)
    }
  }
}

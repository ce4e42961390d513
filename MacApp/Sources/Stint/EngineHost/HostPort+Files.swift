import Foundation
import StintCore

extension EngineHost {
  func installFiles(on root: HostObjectBuilder) {
    let fs = self.files
    let files = root.capability("files")
    files.async("read") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      return .bytes(try await fs.perform { try fs.read(path) })
    }
    files.async("writeAtomic") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      let bytes = try arguments[argument: 1].requireBytes("bytes")
      let flushDirectory = arguments[argument: 2]["flushDir"].bool ?? true
      let result = try await fs.perform { try fs.writeAtomic(path, bytes, flushDirectory: flushDirectory) }
      return .object(["size": .number(Double(result.size)), "sha256": .string(result.sha256)])
    }
    files.async("append") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      let bytes = try arguments[argument: 1].requireBytes("bytes")
      try await fs.perform { try fs.append(path, bytes) }
      return .undefined
    }
    files.async("flushDir") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      try await fs.perform { try fs.flushDir(path) }
      return .undefined
    }
    files.async("list") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      return .array(try await fs.perform { try fs.list(path) }.map(HostValue.string))
    }
    files.async("stat") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      guard let stat = try await fs.perform({ try fs.stat(path) }) else { return .undefined }
      return .object([
        "kind": .string(stat.isDirectory ? "directory" : "file"),
        "size": .number(Double(stat.size)),
        "mtimeMs": .number(stat.mtimeMs),
      ])
    }
    files.async("remove") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      let recursive = arguments[argument: 1]["recursive"].bool ?? false
      try await fs.perform { try fs.remove(path, recursive: recursive) }
      return .undefined
    }
    files.async("rename") { arguments in
      let from = try arguments[argument: 0].requireString("from")
      let to = try arguments[argument: 1].requireString("to")
      try await fs.perform { try fs.rename(from, to) }
      return .undefined
    }
    files.async("mkdirp") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      try await fs.perform { try fs.mkdirp(path) }
      return .undefined
    }
    files.async("copy") { arguments in
      let from = try arguments[argument: 0].requireString("from")
      let to = try arguments[argument: 1].requireString("to")
      try await fs.perform { try fs.copy(from, to) }
      return .undefined
    }
    files.async("confine") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      let area = try arguments[argument: 1].requireString("area")
      try await fs.perform { try fs.confine(path, area: area) }
      return .undefined
    }
    files.async("diskSpace") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      let space = try await fs.perform { try fs.diskSpace(path) }
      return .object(["free": .number(Double(space.free)), "total": .number(Double(space.total))])
    }
  }
}

import Foundation
import StintCore

extension EngineHost {
  /// `host.media` (AVFoundation) and `host.imaging` (vImage, ImageIO).
  func installMedia(on root: HostObjectBuilder) {
    let fs = self.files
    let toolkit = MediaToolkit()
    let media = root.capability("media")
    media.async("concatAudio") { arguments in
      let inputs = try (arguments[argument: 0].array ?? []).map { try fs.url($0.requireString("input")) }
      let output = try fs.url(try arguments[argument: 1].requireString("output"))
      try await toolkit.concatenateAudio(inputs, to: output)
      let digest = try await fs.perform { try fs.sha256File(output.path) }
      return .object(["size": .number(Double(digest.size)), "sha256": .string(digest.sha256)])
    }
    media.async("mergeVideoAudio") { arguments in
      let videos = try (arguments[argument: 0].array ?? []).map { try fs.url($0.requireString("video")) }
      let audio = try arguments[argument: 1].string.map { try fs.url($0) }
      let output = try fs.url(try arguments[argument: 2].requireString("output"))
      try await toolkit.mergeVideo(videos, audio: audio, to: output)
      let digest = try await fs.perform { try fs.sha256File(output.path) }
      return .object(["size": .number(Double(digest.size)), "sha256": .string(digest.sha256)])
    }
    media.async("probe") { arguments in
      let url = try fs.url(try arguments[argument: 0].requireString("path"))
      return try HostValue(encoding: try await toolkit.probe(url))
    }

    let imaging = root.capability("imaging")
    imaging.async("perceptualHash") { arguments in
      let url = try fs.url(try arguments[argument: 0].requireString("path"))
      return .string(DifferenceHash.hex(try ImageAnalysis.differenceHash(of: url)))
    }
    imaging.async("downscale") { arguments in
      let url = try fs.url(try arguments[argument: 0].requireString("path"))
      let maxEdge = try arguments[argument: 1].requireNumber("maxEdge")
      let image = try ImageAnalysis.downscale(url, maxEdge: Int(maxEdge))
      return .object([
        "bytes": .bytes(image.data), "width": .number(Double(image.width)), "height": .number(Double(image.height)),
        "mimeType": .string(image.mimeType),
      ])
    }
  }
}

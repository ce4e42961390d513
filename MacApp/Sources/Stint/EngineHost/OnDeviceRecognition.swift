import Foundation
import ImageIO
import Vision

/// On-device text recognition (`host.vision`). Nothing leaves the Mac: Vision runs locally.
enum OnDeviceRecognition {
  struct Line: Sendable {
    var text: String
    var confidence: Double
    /// Pixels, origin at the top left (the host port's convention).
    var x: Double
    var y: Double
    var width: Double
    var height: Double
  }

  struct Text: Sendable {
    var text: String
    var confidence: Double
    var lines: [Line]
  }

  /// Pixel size of the image at `url`, read from its header without decoding it.
  private static func pixelSize(of url: URL) throws -> (width: Int, height: Int) {
    guard
      let source = CGImageSourceCreateWithURL(url as CFURL, nil),
      let properties = CGImageSourceCopyPropertiesAtIndex(source, 0, nil) as? [CFString: Any],
      let width = properties[kCGImagePropertyPixelWidth] as? Int,
      let height = properties[kCGImagePropertyPixelHeight] as? Int
    else { throw HostError(code: "EINVAL", message: "not an image: \(url.lastPathComponent)") }
    return (width, height)
  }

  static func recognizeText(in url: URL, languages: [String]?) async throws -> Text {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw HostError(code: "ENOENT", message: "no image at \(url.lastPathComponent)")
    }
    let size = try pixelSize(of: url)
    return try await withCheckedThrowingContinuation { continuation in
      // Vision may both call the handler with an error and throw from perform: resume once.
      let once = ResumeOnce(continuation)
      let request = VNRecognizeTextRequest { request, error in
        if let error {
          once.resume(.failure(HostError(code: "EIO", message: "OCR failed: \(error.localizedDescription)")))
          return
        }
        let observations = request.results as? [VNRecognizedTextObservation] ?? []
        let lines: [Line] = observations.compactMap { observation in
          guard let candidate = observation.topCandidates(1).first else { return nil }
          // Vision's boxes are normalised with the origin at the bottom left.
          let rect = VNImageRectForNormalizedRect(observation.boundingBox, size.width, size.height)
          return Line(
            text: candidate.string, confidence: Double(candidate.confidence), x: rect.minX,
            y: Double(size.height) - rect.maxY, width: rect.width, height: rect.height)
        }
        let confidence = lines.isEmpty ? 0 : lines.map(\.confidence).reduce(0, +) / Double(lines.count)
        once.resume(.success(Text(text: lines.map(\.text).joined(separator: "\n"), confidence: confidence, lines: lines)))
      }
      request.recognitionLevel = .accurate
      request.usesLanguageCorrection = true
      if let languages, !languages.isEmpty { request.recognitionLanguages = languages }
      do {
        try VNImageRequestHandler(url: url).perform([request])
      } catch {
        once.resume(.failure(HostError(code: "EINVAL", message: "OCR failed: \(error.localizedDescription)")))
      }
    }
  }
}

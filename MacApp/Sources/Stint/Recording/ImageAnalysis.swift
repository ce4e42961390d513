import CoreGraphics
import Foundation
import ImageIO
import StintCore
import UniformTypeIdentifiers

/// Native image work for screenshots: PNG encoding, the dHash, downscaling.
enum ImageAnalysis {
  enum ImageError: LocalizedError {
    case unreadable(String)
    case encodeFailed

    var errorDescription: String? {
      switch self {
      case .unreadable(let path): "Cannot read the image at \(path)."
      case .encodeFailed: "The image could not be encoded."
      }
    }
  }

  static func pngData(_ image: CGImage) throws -> Data {
    let data = NSMutableData()
    guard let destination = CGImageDestinationCreateWithData(data, UTType.png.identifier as CFString, 1, nil) else {
      throw ImageError.encodeFailed
    }
    CGImageDestinationAddImage(destination, image, nil)
    guard CGImageDestinationFinalize(destination) else { throw ImageError.encodeFailed }
    return data as Data
  }

  static func loadImage(_ url: URL) throws -> CGImage {
    guard let source = CGImageSourceCreateWithURL(url as CFURL, nil),
      let image = CGImageSourceCreateImageAtIndex(source, 0, nil)
    else { throw HostError(code: "ENOENT", message: ImageError.unreadable(url.lastPathComponent).localizedDescription) }
    return image
  }

  static func differenceHash(of url: URL) throws -> UInt64 {
    try differenceHash(of: try loadImage(url))
  }

  /// The engine's dHash, bit for bit: the image's stored RGB bytes (what the engine reads
  /// back from the PNG, with no colour management) through StintCore's box filter and
  /// luma. Drawing into a context in the image's own colour space copies the bytes as
  /// they are; only a non-RGB image is converted (screenshots are always RGB).
  static func differenceHash(of image: CGImage) throws -> UInt64 {
    let width = image.width
    let height = image.height
    let bytesPerRow = width * 4
    guard width > 0, height > 0,
      let space = image.colorSpace.flatMap({ $0.model == .rgb ? $0 : nil }) ?? CGColorSpace(name: CGColorSpace.sRGB)
    else { throw ImageError.encodeFailed }
    var pixels = [UInt8](repeating: 0, count: bytesPerRow * height)
    try pixels.withUnsafeMutableBytes { raw in
      guard
        let context = CGContext(
          data: raw.baseAddress, width: width, height: height, bitsPerComponent: 8, bytesPerRow: bytesPerRow, space: space,
          bitmapInfo: CGImageAlphaInfo.noneSkipLast.rawValue | CGBitmapInfo.byteOrder32Big.rawValue)
      else { throw ImageError.encodeFailed }
      context.interpolationQuality = .none
      context.draw(image, in: CGRect(x: 0, y: 0, width: width, height: height))
    }
    return try pixels.withUnsafeBufferPointer { buffer in
      try DifferenceHash.hash(rgba: buffer, width: width, height: height, bytesPerRow: bytesPerRow)
    }
  }

  struct Downscaled: Sendable {
    var data: Data
    var width: Int
    var height: Int
    var mimeType: String
  }

  /// JPEG at most `maxEdge` on its longer side, through ImageIO's thumbnailer (no full decode).
  static func downscale(_ url: URL, maxEdge: Int) throws -> Downscaled {
    guard let source = CGImageSourceCreateWithURL(url as CFURL, nil) else {
      throw HostError(code: "ENOENT", message: ImageError.unreadable(url.lastPathComponent).localizedDescription)
    }
    let options: [CFString: Any] = [
      kCGImageSourceCreateThumbnailFromImageAlways: true,
      kCGImageSourceThumbnailMaxPixelSize: max(16, maxEdge),
      kCGImageSourceCreateThumbnailWithTransform: true,
    ]
    guard let image = CGImageSourceCreateThumbnailAtIndex(source, 0, options as CFDictionary) else {
      throw ImageError.encodeFailed
    }
    let data = NSMutableData()
    guard let destination = CGImageDestinationCreateWithData(data, UTType.jpeg.identifier as CFString, 1, nil) else {
      throw ImageError.encodeFailed
    }
    CGImageDestinationAddImage(destination, image, [kCGImageDestinationLossyCompressionQuality: 0.8] as CFDictionary)
    guard CGImageDestinationFinalize(destination) else { throw ImageError.encodeFailed }
    return Downscaled(data: data as Data, width: image.width, height: image.height, mimeType: "image/jpeg")
  }
}

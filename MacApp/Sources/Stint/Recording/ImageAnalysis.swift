import Accelerate
import CoreGraphics
import Foundation
import ImageIO
import StintCore
import UniformTypeIdentifiers

/// Native image work for screenshots: PNG encoding, the dHash through vImage, downscaling.
enum ImageAnalysis {
  enum ImageError: LocalizedError {
    case unreadable(String)
    case encodeFailed
    case vImage(vImage_Error)

    var errorDescription: String? {
      switch self {
      case .unreadable(let path): "Cannot read the image at \(path)."
      case .encodeFailed: "The image could not be encoded."
      case .vImage(let code): "vImage failed (\(code))."
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

  /// Grayscale 9×8 thumbnail with vImage (a high-quality resample, so the hash does not
  /// alias on text), then StintCore's bit math, identical to the engine's fallback.
  static func differenceHash(of image: CGImage) throws -> UInt64 {
    guard
      var format = vImage_CGImageFormat(
        bitsPerComponent: 8, bitsPerPixel: 8, colorSpace: CGColorSpaceCreateDeviceGray(),
        bitmapInfo: CGBitmapInfo(rawValue: CGImageAlphaInfo.none.rawValue))
    else { throw ImageError.encodeFailed }
    var source = vImage_Buffer()
    var error = vImageBuffer_InitWithCGImage(&source, &format, nil, image, vImage_Flags(kvImageNoFlags))
    guard error == kvImageNoError else { throw ImageError.vImage(error) }
    defer { free(source.data) }

    var pixels = [UInt8](repeating: 0, count: DifferenceHash.width * DifferenceHash.height)
    try pixels.withUnsafeMutableBytes { raw in
      var destination = vImage_Buffer(
        data: raw.baseAddress, height: vImagePixelCount(DifferenceHash.height),
        width: vImagePixelCount(DifferenceHash.width), rowBytes: DifferenceHash.width)
      error = vImageScale_Planar8(&source, &destination, nil, vImage_Flags(kvImageHighQualityResampling))
      guard error == kvImageNoError else { throw ImageError.vImage(error) }
    }
    return try DifferenceHash.hash(grayscale9x8: pixels)
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

/// The 64-bit difference hash (dHash) of a screenshot, from a 9×8 grayscale thumbnail.
///
/// Bit for bit the engine's `dHash` (engine/src/image/dhash.ts), so a hash the Mac reports
/// and one the engine computes from the same PNG compare with distance 0: the same box
/// filter (each source pixel goes to bin `floor(x * 9 / width)`), the same Rec. 601 luma
/// summed in Double in row-major order, then row-major bits, bit 63 first, a bit set when a
/// bin is brighter than its right neighbour. `Fixtures/dhash-vectors.json` is checked by
/// both test suites.
public enum DifferenceHash {
  public static let width = 9
  public static let height = 8

  public enum HashError: Error, Equatable {
    case wrongSize(Int)
    case badGeometry
  }

  /// The engine's hash of an 8-bit RGBA image (alpha ignored, bytes as stored: no colour
  /// management, as the engine decodes the PNG). `bytesPerRow` may pad rows.
  public static func hash(rgba: UnsafeBufferPointer<UInt8>, width imageWidth: Int, height imageHeight: Int, bytesPerRow: Int)
    throws -> UInt64
  {
    guard imageWidth > 0, imageHeight > 0, bytesPerRow >= imageWidth * 4, rgba.count >= bytesPerRow * (imageHeight - 1) + imageWidth * 4
    else { throw HashError.badGeometry }
    var sums = [Double](repeating: 0, count: width * height)
    var counts = [Double](repeating: 0, count: width * height)
    // Bin of each column, computed once (the engine computes the same floor per pixel).
    let columnBins = (0..<imageWidth).map { min(width - 1, ($0 * width) / imageWidth) }
    for y in 0..<imageHeight {
      let row = min(height - 1, (y * height) / imageHeight) * width
      let base = y * bytesPerRow
      for x in 0..<imageWidth {
        let o = base + x * 4
        let luma = 0.299 * Double(rgba[o]) + 0.587 * Double(rgba[o + 1]) + 0.114 * Double(rgba[o + 2])
        sums[row + columnBins[x]] += luma
        counts[row + columnBins[x]] += 1
      }
    }
    var hash: UInt64 = 0
    let gray = zip(sums, counts).map { sum, count in count > 0 ? sum / count : 0 }
    for row in 0..<height {
      for column in 0..<(width - 1) {
        hash = (hash << 1) | (gray[row * width + column] > gray[row * width + column + 1] ? 1 : 0)
      }
    }
    return hash
  }

  /// Bit math on an already reduced 9×8 thumbnail (tests and callers that reduce elsewhere).
  public static func hash(grayscale9x8 pixels: [UInt8]) throws -> UInt64 {
    guard pixels.count == width * height else { throw HashError.wrongSize(pixels.count) }
    var hash: UInt64 = 0
    for row in 0..<height {
      for column in 0..<(width - 1) {
        let left = pixels[row * width + column]
        let right = pixels[row * width + column + 1]
        hash = (hash << 1) | (left > right ? 1 : 0)
      }
    }
    return hash
  }

  /// 16 lower-case hex characters, as `ImagingPort.perceptualHash` returns.
  public static func hex(_ hash: UInt64) -> String {
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  public static func hammingDistance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }
}

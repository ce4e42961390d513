/// The 64-bit difference hash (dHash) of a screenshot, from a 9×8 grayscale thumbnail.
///
/// The Mac computes the thumbnail with vImage; the bit math lives here so it is tested
/// anywhere and matches the engine's TypeScript fallback bit for bit: row-major, bit 63
/// first, a bit set when a pixel is brighter than its right neighbour.
public enum DifferenceHash {
  public static let width = 9
  public static let height = 8

  public enum HashError: Error, Equatable { case wrongSize(Int) }

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

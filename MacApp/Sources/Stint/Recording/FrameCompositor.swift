import CoreImage
import CoreVideo
import StintCore

/// Draws synchronized frames into one output frame with the layout from StintCore's
/// `LayoutMath`: passthrough hands the source buffer on untouched, grid and side-by-side
/// render through a Metal-backed CIContext into a pooled 4:2:0 buffer for the encoder.
final class FrameCompositor {
  let canvas: PixelSize
  private let context = CIContext(options: [.cacheIntermediates: false])
  private var pool: CVPixelBufferPool?
  private let background = CIImage(color: CIColor(red: 0.08, green: 0.08, blue: 0.09)).cropped(
    to: CGRect(x: 0, y: 0, width: 1, height: 1))

  init(canvas: PixelSize) {
    self.canvas = canvas
    let attributes: [String: Any] = [
      kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange,
      kCVPixelBufferWidthKey as String: Int(canvas.width),
      kCVPixelBufferHeightKey as String: Int(canvas.height),
      kCVPixelBufferIOSurfacePropertiesKey as String: [:] as [String: Any],
      kCVPixelBufferMetalCompatibilityKey as String: true,
    ]
    CVPixelBufferPoolCreate(nil, [kCVPixelBufferPoolMinimumBufferCountKey as String: 4] as CFDictionary, attributes as CFDictionary, &pool)
  }

  /// `frames` in source order (nil for a missing slot); `sizes` their pixel sizes.
  func compose(_ frames: [CVPixelBuffer?], sizes: [PixelSize], layout: CompositorLayout) -> CVPixelBuffer? {
    let present = zip(frames, sizes).compactMap { frame, size in frame.map { ($0, size) } }
    if frames.count == 1, let only = present.first, only.1 == canvas {
      return only.0
    }
    guard !present.isEmpty, let plan = try? LayoutMath.plan(sources: sizes, canvas: canvas, layout: layout),
      let pool
    else { return nil }
    var output: CVPixelBuffer?
    guard CVPixelBufferPoolCreatePixelBuffer(nil, pool, &output) == kCVReturnSuccess, let output else { return nil }

    var image = background.transformed(by: CGAffineTransform(scaleX: canvas.width, y: canvas.height))
    for (index, frame) in frames.enumerated() {
      guard let frame, index < plan.rects.count else { continue }
      let rect = plan.rects[index]
      let source = CIImage(cvPixelBuffer: frame)
      let scaleX = rect.width / source.extent.width
      let scaleY = rect.height / source.extent.height
      // Core Image's origin is bottom-left; LayoutMath's is top-left.
      let transform = CGAffineTransform(scaleX: scaleX, y: scaleY)
        .concatenating(CGAffineTransform(translationX: rect.x, y: canvas.height - rect.maxY))
      image = source.transformed(by: transform).composited(over: image)
    }
    context.render(image, to: output, bounds: CGRect(x: 0, y: 0, width: canvas.width, height: canvas.height), colorSpace: CGColorSpace(name: CGColorSpace.sRGB))
    return output
  }
}

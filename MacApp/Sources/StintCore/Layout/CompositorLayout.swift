/// A size in pixels. StintCore has its own geometry so it builds without CoreGraphics.
public struct PixelSize: Sendable, Hashable, Codable, CustomStringConvertible {
  public var width: Double
  public var height: Double

  public init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  public var aspectRatio: Double { height > 0 ? width / height : 1 }
  public var isEmpty: Bool { width <= 0 || height <= 0 }
  public var description: String { "\(width)x\(height)" }
}

public struct PixelRect: Sendable, Hashable, Codable, CustomStringConvertible {
  public var x: Double
  public var y: Double
  public var width: Double
  public var height: Double

  public init(x: Double, y: Double, width: Double, height: Double) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  public var maxX: Double { x + width }
  public var maxY: Double { y + height }
  public var size: PixelSize { PixelSize(width: width, height: height) }

  public func contains(_ other: PixelRect, slack: Double = 1e-6) -> Bool {
    other.x >= x - slack && other.y >= y - slack && other.maxX <= maxX + slack && other.maxY <= maxY + slack
  }

  public func intersects(_ other: PixelRect, slack: Double = 1e-6) -> Bool {
    other.x < maxX - slack && x < other.maxX - slack && other.y < maxY - slack && y < other.maxY - slack
  }

  public var description: String { "(\(x), \(y), \(width)x\(height))" }
}

/// How several sources share one video frame (`RecorderConfig.layout` in the host port).
public enum CompositorLayout: String, Sendable, Codable, CaseIterable {
  /// One source, drawn as captured (`"single"` on the bridge).
  case passthrough = "single"
  /// 2×2 for two to four sources, 3×3 for five to nine.
  case grid
  /// Sources in a row at one common height, each keeping its aspect ratio.
  case sideBySide = "side-by-side"
}

/// Where each source lands in the output frame. Pure math, shared by the Metal/Core Image
/// compositor on the Mac and by the tests here.
public enum LayoutMath {
  /// The most sources a layout can show; more are refused by ``plan(sources:canvas:layout:)``.
  public static let maxSources = 9

  public struct Plan: Sendable, Hashable {
    public var canvas: PixelSize
    /// One rect per source, in source order.
    public var rects: [PixelRect]
    /// Rows × columns of the grid, when the layout is a grid.
    public var grid: (rows: Int, columns: Int)?

    public static func == (lhs: Plan, rhs: Plan) -> Bool {
      lhs.canvas == rhs.canvas && lhs.rects == rhs.rects && lhs.grid?.rows == rhs.grid?.rows
        && lhs.grid?.columns == rhs.grid?.columns
    }

    public func hash(into hasher: inout Hasher) {
      hasher.combine(canvas)
      hasher.combine(rects)
    }
  }

  public enum LayoutError: Error, Equatable {
    case noSources
    case tooManySources(Int)
    case emptySource(index: Int)
    case emptyCanvas
  }

  /// Grid dimension by source count: 1 → 1×1, 2…4 → 2×2, 5…9 → 3×3.
  public static func gridDimension(forSourceCount count: Int) -> Int {
    switch count {
    case ...1: 1
    case 2...4: 2
    default: 3
    }
  }

  /// The largest rect with `source`'s aspect ratio that fits `box`, centred in it.
  public static func aspectFit(_ source: PixelSize, in box: PixelRect) -> PixelRect {
    guard !source.isEmpty, box.width > 0, box.height > 0 else {
      return PixelRect(x: box.x, y: box.y, width: 0, height: 0)
    }
    let scale = min(box.width / source.width, box.height / source.height)
    let width = source.width * scale
    let height = source.height * scale
    return PixelRect(x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width: width, height: height)
  }

  /// Lays `sources` out on `canvas`. Every rect keeps its source's aspect ratio and stays
  /// inside the canvas; no two rects overlap.
  public static func plan(sources: [PixelSize], canvas: PixelSize, layout: CompositorLayout) throws -> Plan {
    guard !sources.isEmpty else { throw LayoutError.noSources }
    guard sources.count <= maxSources else { throw LayoutError.tooManySources(sources.count) }
    guard !canvas.isEmpty else { throw LayoutError.emptyCanvas }
    if let index = sources.firstIndex(where: \.isEmpty) { throw LayoutError.emptySource(index: index) }

    let full = PixelRect(x: 0, y: 0, width: canvas.width, height: canvas.height)
    // One source needs no composition whatever the layout says.
    if sources.count == 1 || layout == .passthrough {
      return Plan(canvas: canvas, rects: [aspectFit(sources[0], in: full)], grid: nil)
    }
    switch layout {
    case .passthrough:
      return Plan(canvas: canvas, rects: [aspectFit(sources[0], in: full)], grid: nil)
    case .grid:
      let n = gridDimension(forSourceCount: sources.count)
      let cellWidth = canvas.width / Double(n)
      let cellHeight = canvas.height / Double(n)
      let rects = sources.enumerated().map { index, size in
        let cell = PixelRect(
          x: Double(index % n) * cellWidth, y: Double(index / n) * cellHeight, width: cellWidth, height: cellHeight)
        return aspectFit(size, in: cell)
      }
      return Plan(canvas: canvas, rects: rects, grid: (n, n))
    case .sideBySide:
      // At a common height h, the row is h * Σ(aspect) wide; the largest h that fits both ways.
      let totalAspect = sources.reduce(0) { $0 + $1.aspectRatio }
      let height = min(canvas.height, canvas.width / totalAspect)
      let rowWidth = height * totalAspect
      var x = (canvas.width - rowWidth) / 2
      let y = (canvas.height - height) / 2
      var rects: [PixelRect] = []
      for size in sources {
        let width = height * size.aspectRatio
        rects.append(PixelRect(x: x, y: y, width: width, height: height))
        x += width
      }
      return Plan(canvas: canvas, rects: rects, grid: nil)
    }
  }

  /// An output canvas for the sources: the passthrough source's own size, otherwise a 16:9
  /// frame; scaled so the longer edge is at most `maxEdge` and both sides even (H.264 needs
  /// even dimensions with 4:2:0 chroma).
  public static func canvasSize(for sources: [PixelSize], layout: CompositorLayout, maxEdge: Double) -> PixelSize {
    let base: PixelSize =
      if sources.count == 1 || layout == .passthrough, let first = sources.first {
        first
      } else {
        PixelSize(width: 1920, height: 1080)
      }
    let scale = min(1, maxEdge / max(base.width, base.height))
    // The epsilon keeps 1080 × (1280 / 1920) at 720 rather than 718 after rounding error.
    func even(_ value: Double) -> Double { max(2, (value * scale / 2 + 1e-9).rounded(.down) * 2) }
    return PixelSize(width: even(base.width), height: even(base.height))
  }
}

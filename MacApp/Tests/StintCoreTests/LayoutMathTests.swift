import Testing

@testable import StintCore

private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-6 }

@Suite("LayoutMath")
struct LayoutMathTests {
  let canvas = PixelSize(width: 1920, height: 1080)
  let display = PixelSize(width: 2880, height: 1800)
  let window = PixelSize(width: 800, height: 1200)
  let camera = PixelSize(width: 1280, height: 720)

  private func assertSane(_ plan: LayoutMath.Plan, sources: [PixelSize]) {
    let bounds = PixelRect(x: 0, y: 0, width: plan.canvas.width, height: plan.canvas.height)
    #expect(plan.rects.count == sources.count)
    for (rect, source) in zip(plan.rects, sources) {
      #expect(bounds.contains(rect), "\(rect) leaves the canvas")
      #expect(abs(rect.size.aspectRatio - source.aspectRatio) < 1e-9, "aspect of \(source) not preserved")
    }
    for i in plan.rects.indices {
      for j in plan.rects.indices where j > i {
        #expect(!plan.rects[i].intersects(plan.rects[j]), "\(plan.rects[i]) overlaps \(plan.rects[j])")
      }
    }
  }

  @Test("passthrough fits one source, letterboxed and centred")
  func passthrough() throws {
    let plan = try LayoutMath.plan(sources: [display], canvas: canvas, layout: .passthrough)
    assertSane(plan, sources: [display])
    #expect(close(plan.rects[0].height, 1080))
    #expect(close(plan.rects[0].width, 1728))
    #expect(close(plan.rects[0].x, 96))
  }

  @Test("grid is 2×2 for two to four sources and 3×3 for five to nine", arguments: 1...9)
  func gridDimension(count: Int) throws {
    let sources = Array(repeating: display, count: count)
    let plan = try LayoutMath.plan(sources: sources, canvas: canvas, layout: .grid)
    let expected = count == 1 ? nil : (count <= 4 ? 2 : 3)
    #expect(plan.grid?.rows == expected)
    #expect(plan.grid?.columns == expected)
    assertSane(plan, sources: sources)
  }

  @Test("grid cells keep each source's own aspect ratio")
  func gridMixedAspects() throws {
    let sources = [display, window, camera]
    let plan = try LayoutMath.plan(sources: sources, canvas: canvas, layout: .grid)
    assertSane(plan, sources: sources)
    // The portrait window is height-bound in its 960×540 cell.
    #expect(close(plan.rects[1].height, 540))
    #expect(close(plan.rects[1].width, 360))
    #expect(close(plan.rects[1].x, 960 + 300))
  }

  @Test("side by side uses one common height and centres the row")
  func sideBySide() throws {
    let sources = [display, window]
    let plan = try LayoutMath.plan(sources: sources, canvas: canvas, layout: .sideBySide)
    assertSane(plan, sources: sources)
    #expect(close(plan.rects[0].height, plan.rects[1].height))
    #expect(plan.rects[0].maxX == plan.rects[1].x)
    let rowWidth = plan.rects[1].maxX - plan.rects[0].x
    #expect(close(rowWidth, 1920) || close(plan.rects[0].height, 1080))
  }

  @Test("a wide row is width-bound, a tall one height-bound")
  func sideBySideBounds() throws {
    let wide = try LayoutMath.plan(sources: [display, display, display], canvas: canvas, layout: .sideBySide)
    #expect(close(wide.rects[2].maxX - wide.rects[0].x, 1920))
    let tall = try LayoutMath.plan(sources: [window, window], canvas: canvas, layout: .sideBySide)
    #expect(close(tall.rects[0].height, 1080))
  }

  @Test("bad input is refused with a typed error")
  func errors() {
    #expect(throws: LayoutMath.LayoutError.noSources) { try LayoutMath.plan(sources: [], canvas: canvas, layout: .grid) }
    #expect(throws: LayoutMath.LayoutError.tooManySources(10)) {
      try LayoutMath.plan(sources: Array(repeating: display, count: 10), canvas: canvas, layout: .grid)
    }
    #expect(throws: LayoutMath.LayoutError.emptySource(index: 1)) {
      try LayoutMath.plan(sources: [display, PixelSize(width: 0, height: 10)], canvas: canvas, layout: .grid)
    }
  }

  @Test("canvas sizes are even and bounded by the quality's longest edge")
  func canvasSize() {
    let single = LayoutMath.canvasSize(for: [PixelSize(width: 3025, height: 1965)], layout: .passthrough, maxEdge: 1920)
    #expect(single.width <= 1920)
    #expect(Int(single.width) % 2 == 0 && Int(single.height) % 2 == 0)
    let grid = LayoutMath.canvasSize(for: [display, camera], layout: .grid, maxEdge: 1280)
    #expect(grid == PixelSize(width: 1280, height: 720))
  }
}

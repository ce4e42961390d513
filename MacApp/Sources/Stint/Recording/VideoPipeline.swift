import AVFoundation
import CoreMedia
import OSLog
import ScreenCaptureKit
import StintCore

/// Sources → frame synchronizer → compositor → segmented writer, all on one serial queue
/// (the queue the sources deliver on). Pausing drops frames and removes the paused span
/// from the output timeline, so the video has no frozen stretch.
final class VideoPipeline: @unchecked Sendable {
  let queue = DispatchQueue(label: "app.stint.video", qos: .userInteractive)

  struct Health: Sendable {
    var delivered = 0
    var idle = 0
    var dropped = 0
    /// Largest share of a source's SCStream buffer pool we were holding.
    var bufferFill = 0.0
  }

  /// A sample buffer crossing into the synchronizer; only touched on `queue`.
  private struct Frame: @unchecked Sendable {
    let buffer: CVPixelBuffer
  }

  private var synchronizer: FrameSynchronizer<Frame>
  private var streams: [String: FrameSynchronizer<Frame>.StreamID] = [:]
  private var sizes: [FrameSynchronizer<Frame>.StreamID: PixelSize] = [:]
  private var compositor: FrameCompositor
  private let writer: SegmentedVideoWriter
  private let layout: CompositorLayout
  private var tickTimer: DispatchSourceTimer?
  private var paused = false
  /// Media time removed by pauses so far.
  private var pausedTotal = MediaTime.zero
  private var pausedAt: MediaTime?
  private var health = Health()
  private var reportedWriterDrops = 0

  init(canvas: PixelSize, layout: CompositorLayout, fps: Int, writer: SegmentedVideoWriter) {
    // Every buffered frame holds one of the stream's pool buffers: stay well under the pool
    // (the compositor and encoder hold one more each) or SCStream stops delivering.
    self.synchronizer = FrameSynchronizer(fps: fps, maxBufferedPerStream: ScreenCaptureSource.queueDepth - 3)
    self.compositor = FrameCompositor(canvas: canvas)
    self.writer = writer
    self.layout = layout
  }

  static func hostNow() -> MediaTime {
    MediaTime.seconds(CMClockGetTime(CMClockGetHostTimeClock()).seconds)
  }

  func addSource(_ id: String, size: PixelSize) {
    queue.async { [self] in
      let stream = synchronizer.addStream()
      streams[id] = stream
      sizes[stream] = size
    }
  }

  func removeSource(_ id: String) {
    queue.async { [self] in
      guard let stream = streams.removeValue(forKey: id) else { return }
      synchronizer.removeStream(stream)
      sizes[stream] = nil
    }
  }

  /// Starts the output clock; a timer decides ticks a stalled source would hold up.
  func start() {
    queue.async { [self] in
      synchronizer.start(at: Self.hostNow())
      let timer = DispatchSource.makeTimerSource(queue: queue)
      let interval = 1.0 / Double(synchronizer.fps)
      timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(2))
      timer.setEventHandler { [weak self] in self?.drain(self?.synchronizer.advance(to: Self.hostNow()) ?? []) }
      timer.resume()
      tickTimer = timer
    }
  }

  /// Called on `queue` by a screen source.
  func ingestScreen(_ sampleBuffer: CMSampleBuffer, status: SCFrameStatus, sourceID: String) {
    dispatchPrecondition(condition: .onQueue(queue))
    switch status {
    case .complete:
      health.delivered += 1
      ingest(sampleBuffer, sourceID: sourceID)
    case .idle:
      // Nothing changed on screen: the previous frame is held, and ticks up to this
      // moment stop waiting for this stream (a static window must not stall the others).
      health.idle += 1
      guard !paused, let stream = streams[sourceID] else { return }
      let pts = sampleBuffer.presentationTimeStamp
      drain(synchronizer.markIdle(stream: stream, at: pts.isValid ? MediaTime.seconds(pts.seconds) : Self.hostNow()))
    case .blank, .suspended, .started, .stopped: return
    @unknown default: return
    }
  }

  /// Called on `queue` by the camera.
  func ingestCamera(_ sampleBuffer: CMSampleBuffer, sourceID: String) {
    dispatchPrecondition(condition: .onQueue(queue))
    health.delivered += 1
    ingest(sampleBuffer, sourceID: sourceID)
  }

  private func ingest(_ sampleBuffer: CMSampleBuffer, sourceID: String) {
    guard !paused, let stream = streams[sourceID], let pixels = sampleBuffer.imageBuffer else { return }
    let time = MediaTime.seconds(sampleBuffer.presentationTimeStamp.seconds)
    drain(synchronizer.push(Frame(buffer: pixels), stream: stream, at: time))
    // Buffered frames hold SCStream pool buffers; a pool run dry stalls capture.
    let buffered = synchronizer.bufferedFrames(of: stream)
    health.bufferFill = max(health.bufferFill, min(1, Double(buffered) / Double(ScreenCaptureSource.queueDepth)))
  }

  private func drain(_ outputs: [FrameSynchronizer<Frame>.Output]) {
    guard !paused else { return }
    for output in outputs {
      let frames = output.slots.map { $0.slot.frame?.buffer }
      let slotSizes = output.slots.map { sizes[$0.stream] ?? PixelSize(width: 1, height: 1) }
      guard let composed = compositor.compose(frames, sizes: slotSizes, layout: layout) else { continue }
      let mediaTime = output.time - pausedTotal
      let epoch = Self.epochMs(forHostTime: output.time)
      writer.append(composed, at: mediaTime, epochMs: epoch)
    }
  }

  static func epochMs(forHostTime time: MediaTime) -> Int64 {
    let now = hostNow()
    return Date().epochMilliseconds - Int64((now - time).milliseconds.rounded())
  }

  /// Stops taking frames and closes the open segment at its last frame; its report is in
  /// the ledger when this returns.
  func pause() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      queue.async { [self] in
        if !paused {
          drain(synchronizer.advance(to: Self.hostNow()))
          paused = true
          pausedAt = Self.hostNow()
          writer.finish()
        }
        continuation.resume()
      }
    }
  }

  func resume() {
    queue.async { [self] in
      if let pausedAt { pausedTotal = pausedTotal + (Self.hostNow() - pausedAt) }
      pausedAt = nil
      paused = false
      // Restart the tick clock after the gap, on the same output timeline.
      let resumeAt = Self.hostNow()
      synchronizer.start(at: resumeAt)
    }
  }

  /// Takes and resets the counters for a health sample.
  func takeHealth() async -> Health {
    await withCheckedContinuation { (continuation: CheckedContinuation<Health, Never>) in
      queue.async { [self] in
        var sample = health
        sample.dropped += writer.droppedFrames - reportedWriterDrops
        reportedWriterDrops = writer.droppedFrames
        health = Health()
        continuation.resume(returning: sample)
      }
    }
  }

  /// Emits the ticks already due (never ahead of the clock: no frozen frames at the end),
  /// then closes the last segment one frame after its last frame. The segment's report is
  /// in the ledger when this returns.
  func stop() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      queue.async { [self] in
        tickTimer?.cancel()
        tickTimer = nil
        if !paused { drain(synchronizer.advance(to: Self.hostNow())) }
        paused = true
        writer.finish()
        continuation.resume()
      }
    }
  }
}

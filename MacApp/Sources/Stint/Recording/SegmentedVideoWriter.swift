import AVFoundation
import OSLog
import StintCore

/// H.264 in short standalone MP4 segments, each also written as a fragmented movie (one
/// fragment a second): a crash loses at most the last second of the open segment, and every
/// closed segment is a complete file the engine can adopt at once.
///
/// Confined to the video pipeline's queue.
final class SegmentedVideoWriter {
  struct Segment: Sendable {
    var index: Int
    var url: URL
    var startedAt: Int64
    var durationMs: Int64
    var width: Int
    var height: Int
    var fps: Double
  }

  private let directory: URL
  private let size: PixelSize
  private let fps: Int
  private let bitRate: Int
  private var clock: SegmentClock
  private let onSegment: @Sendable (Segment) -> Void
  private let logger = Logger(subsystem: "app.stint", category: "video")

  private var writer: AVAssetWriter?
  private var input: AVAssetWriterInput?
  private var adaptor: AVAssetWriterInputPixelBufferAdaptor?
  private var currentIndex = 0
  private var segmentStart: MediaTime = .zero
  private var segmentStartEpoch: Int64 = 0
  private var lastTime: MediaTime = .zero
  private(set) var droppedFrames = 0
  private(set) var failure: (any Error)?

  init(
    directory: URL, size: PixelSize, fps: Int, quality: VideoQuality, segmentSeconds: Int,
    onSegment: @escaping @Sendable (Segment) -> Void
  ) {
    self.directory = directory
    self.size = size
    self.fps = fps
    self.bitRate = quality.bitRate(forPixels: size.width * size.height)
    self.clock = SegmentClock(segmentDuration: .milliseconds(Int64(segmentSeconds) * 1000))
    self.onSegment = onSegment
  }

  /// Appends one output frame at media time `time` (pause-free), captured at `epochMs`.
  func append(_ frame: CVPixelBuffer, at time: MediaTime, epochMs: Int64) {
    switch clock.observe(time) {
    case .first(let index):
      openSegment(index: index, at: time, epochMs: epochMs)
    case .next(let index):
      close()
      openSegment(index: index, at: time, epochMs: epochMs)
    case .same:
      break
    }
    guard let input, let adaptor, writer?.status == .writing else { return }
    guard input.isReadyForMoreMediaData else {
      // The encoder is behind: dropping a frame keeps capture real-time; health reports it.
      droppedFrames += 1
      return
    }
    let pts = CMTime(value: (time - segmentStart).nanoseconds, timescale: 1_000_000_000)
    if !adaptor.append(frame, withPresentationTime: pts) {
      droppedFrames += 1
      if let error = writer?.error { failure = error }
    }
    lastTime = time
  }

  /// Closes the open segment; its notification follows once the file is complete.
  func finish() { close() }

  private func openSegment(index: Int, at time: MediaTime, epochMs: Int64) {
    let url = directory.appendingPathComponent(SegmentClock.fileName(prefix: "video", index: index, ext: "mp4"))
    do {
      let writer = try AVAssetWriter(outputURL: url, fileType: .mp4)
      writer.movieFragmentInterval = CMTime(value: 1, timescale: 1)
      writer.shouldOptimizeForNetworkUse = false
      let settings: [String: Any] = [
        AVVideoCodecKey: AVVideoCodecType.h264,
        AVVideoWidthKey: Int(size.width),
        AVVideoHeightKey: Int(size.height),
        AVVideoCompressionPropertiesKey: [
          AVVideoAverageBitRateKey: bitRate,
          AVVideoProfileLevelKey: AVVideoProfileLevelH264HighAutoLevel,
          AVVideoMaxKeyFrameIntervalKey: fps * 2,
          AVVideoExpectedSourceFrameRateKey: fps,
          // No B-frames: lower latency, and each fragment closes without waiting on the future.
          AVVideoAllowFrameReorderingKey: false,
        ],
      ]
      let input = AVAssetWriterInput(mediaType: .video, outputSettings: settings)
      input.expectsMediaDataInRealTime = true
      let adaptor = AVAssetWriterInputPixelBufferAdaptor(assetWriterInput: input, sourcePixelBufferAttributes: nil)
      guard writer.canAdd(input) else { throw CocoaError(.fileWriteUnknown) }
      writer.add(input)
      guard writer.startWriting() else { throw writer.error ?? CocoaError(.fileWriteUnknown) }
      writer.startSession(atSourceTime: .zero)
      self.writer = writer
      self.input = input
      self.adaptor = adaptor
      currentIndex = index
      segmentStart = time
      segmentStartEpoch = epochMs
      lastTime = time
    } catch {
      failure = error
      logger.error("video segment \(index) could not start: \(error.localizedDescription, privacy: .public)")
    }
  }

  private func close() {
    guard let writer, let input else { return }
    let index = currentIndex
    let frameMs = 1000 / Double(max(1, fps))
    let segment = Segment(
      index: index, url: writer.outputURL, startedAt: segmentStartEpoch,
      durationMs: max(1, Int64(((lastTime - segmentStart).milliseconds + frameMs).rounded())),
      width: Int(size.width), height: Int(size.height), fps: Double(fps))
    input.markAsFinished()
    writer.endSession(atSourceTime: CMTime(value: (lastTime - segmentStart).nanoseconds, timescale: 1_000_000_000))
    let onSegment = self.onSegment
    let logger = self.logger
    // finishWriting's handler runs on an arbitrary queue; the writer is kept alive by it.
    writer.finishWriting { [writer] in
      if writer.status == .completed {
        onSegment(segment)
      } else {
        logger.error("video segment \(segment.index) failed: \(writer.error?.localizedDescription ?? "unknown", privacy: .public)")
      }
    }
    self.writer = nil
    self.input = nil
    self.adaptor = nil
  }
}

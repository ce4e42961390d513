import AVFoundation
import OSLog
import StintCore

/// H.264 in short standalone MP4 segments, each also written as a fragmented movie (one
/// fragment a second): a crash loses at most the last second of the open segment, and every
/// closed segment is a complete file the engine can adopt at once.
///
/// A segment ends at its cut time (the first frame of the next segment, or one frame after
/// the last at pause and stop), so its last frame keeps its duration and segments joined
/// end to end keep the timeline: no frame lost per segment, no drift against audio.
///
/// Confined to the video pipeline's queue. Finishing a file, hashing it and reporting it
/// run in the ledger, off the queue.
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
  private let segmentDuration: MediaTime
  private let frameDuration: MediaTime
  private let ledger: ReportLedger
  private let onSegment: @Sendable (Segment) async -> Void
  private let logger = Logger(subsystem: "app.stint", category: "video")

  private var writer: AVAssetWriter?
  private var input: AVAssetWriterInput?
  private var adaptor: AVAssetWriterInputPixelBufferAdaptor?
  private var nextIndex = 0
  private var currentIndex = 0
  /// Media time of the open segment's first frame (kept after a failed open, so the next
  /// attempt waits for the next cut instead of retrying on every frame).
  private var segmentStart: MediaTime?
  private var segmentStartEpoch: Int64 = 0
  private var lastTime: MediaTime?
  private(set) var droppedFrames = 0
  private(set) var failure: (any Error)?

  init(
    directory: URL, size: PixelSize, fps: Int, quality: VideoQuality, segmentSeconds: Int, ledger: ReportLedger,
    onSegment: @escaping @Sendable (Segment) async -> Void
  ) {
    self.directory = directory
    self.size = size
    self.fps = max(1, fps)
    self.bitRate = quality.bitRate(forPixels: size.width * size.height)
    self.segmentDuration = .milliseconds(Int64(max(1, segmentSeconds)) * 1000)
    self.frameDuration = MediaTime(nanoseconds: 1_000_000_000 / Int64(max(1, fps)))
    self.ledger = ledger
    self.onSegment = onSegment
  }

  /// Appends one output frame at media time `time` (pause-free), captured at `epochMs`.
  func append(_ frame: CVPixelBuffer, at time: MediaTime, epochMs: Int64) {
    if let start = segmentStart, time - start >= segmentDuration {
      close(endingAt: time)
      segmentStart = nil
    }
    if segmentStart == nil { openSegment(at: time, epochMs: epochMs) }
    guard let input, let adaptor, let start = segmentStart, writer?.status == .writing else {
      droppedFrames += 1
      return
    }
    guard input.isReadyForMoreMediaData else {
      // The encoder is behind: dropping a frame keeps capture real-time; health reports it.
      droppedFrames += 1
      return
    }
    if !adaptor.append(frame, withPresentationTime: Self.cmTime(time - start)) {
      droppedFrames += 1
      if let error = writer?.error { failure = error }
    }
    lastTime = time
  }

  /// Closes the open segment one frame after its last frame (pause, stop); the next
  /// `append` opens a new one. Its report is in the ledger when this returns.
  func finish() {
    if let lastTime { close(endingAt: lastTime + frameDuration) }
    segmentStart = nil
    lastTime = nil
  }

  private static func cmTime(_ time: MediaTime) -> CMTime {
    CMTime(value: time.nanoseconds, timescale: 1_000_000_000)
  }

  private func openSegment(at time: MediaTime, epochMs: Int64) {
    let index = nextIndex
    nextIndex += 1
    segmentStart = time
    segmentStartEpoch = epochMs
    lastTime = nil
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
    } catch {
      failure = error
      logger.error("video segment \(index) could not start: \(error.localizedDescription, privacy: .public)")
    }
  }

  private func close(endingAt end: MediaTime) {
    defer {
      writer = nil
      input = nil
      adaptor = nil
    }
    guard let writer, let input, let start = segmentStart, lastTime != nil else {
      // Opened but nothing was written: no file worth reporting.
      self.writer?.cancelWriting()
      return
    }
    let duration = max(frameDuration, end - start)
    let segment = Segment(
      index: currentIndex, url: writer.outputURL, startedAt: segmentStartEpoch,
      durationMs: max(1, Int64(duration.milliseconds.rounded())), width: Int(size.width), height: Int(size.height),
      fps: Double(fps))
    input.markAsFinished()
    // The last frame lasts until the cut: the file's duration is the segment's span.
    writer.endSession(atSourceTime: Self.cmTime(duration))
    let finishing = FinishingWriter(writer: writer)
    let onSegment = self.onSegment
    let logger = self.logger
    ledger.track {
      if await finishing.finish() {
        await onSegment(segment)
      } else {
        logger.error("video segment \(segment.index) failed: \(finishing.errorDescription, privacy: .public)")
      }
    }
  }
}

/// Carries an `AVAssetWriter` into the ledger after its last append. AVAssetWriter is not
/// Sendable, but from here on only `finishWriting`, `status` and `error` are touched, and the
/// pipeline has already dropped its reference: no two threads use it at once.
private struct FinishingWriter: @unchecked Sendable {
  let writer: AVAssetWriter

  /// True when the file is complete.
  func finish() async -> Bool {
    await writer.finishWriting()
    return writer.status == .completed
  }

  var errorDescription: String { writer.error?.localizedDescription ?? "unknown" }
}

import CoreMedia
import OSLog
import ScreenCaptureKit
import StintCore

/// One display or window captured through SCStream. Frames arrive on the video pipeline's
/// queue, system audio on the audio queue; both queues are the pipelines' own, so no frame
/// takes an extra hop.
final class ScreenCaptureSource: NSObject, SCStreamOutput, SCStreamDelegate, @unchecked Sendable {
  /// Called on SCStream's queues, so each handler is `@Sendable` and captures only
  /// Sendable owners (the pipelines, which confine their state to their queues).
  struct Handlers: Sendable {
    /// Called on the video queue with each frame and its SCFrameStatus.
    var frame: @Sendable (CMSampleBuffer, SCFrameStatus) -> Void
    /// Called on the audio queue with system audio (only the stream that captures audio).
    var audio: (@Sendable (CMSampleBuffer) -> Void)?
    /// The stream stopped on its own (display unplugged, permission revoked, the Mac slept).
    var stopped: @Sendable (any Error) -> Void
  }

  /// Frames SCStream may hand out before it waits for us to release one (its buffer pool;
  /// SCStreamConfiguration allows at most 8).
  static let queueDepth = 8

  let sourceID: String
  let size: PixelSize
  private var stream: SCStream?
  private let handlers: Handlers
  private let logger = Logger(subsystem: "app.stint", category: "capture")

  init(
    sourceID: String, filter: SCContentFilter, size: PixelSize, fps: Int, capturesAudio: Bool,
    videoQueue: DispatchQueue, audioQueue: DispatchQueue, handlers: Handlers
  ) throws {
    self.sourceID = sourceID
    self.size = size
    self.handlers = handlers
    super.init()

    let configuration = SCStreamConfiguration()
    configuration.width = Int(size.width)
    configuration.height = Int(size.height)
    configuration.minimumFrameInterval = CMTime(value: 1, timescale: CMTimeScale(max(1, fps)))
    // BGRA: the compositor works in Core Image; the encoder converts to 4:2:0 once.
    configuration.pixelFormat = kCVPixelFormatType_32BGRA
    configuration.colorSpaceName = CGColorSpace.sRGB
    configuration.queueDepth = Self.queueDepth
    configuration.showsCursor = true
    configuration.capturesAudio = capturesAudio
    configuration.excludesCurrentProcessAudio = true
    configuration.sampleRate = 48_000
    configuration.channelCount = 2

    let stream = SCStream(filter: filter, configuration: configuration, delegate: self)
    try stream.addStreamOutput(self, type: .screen, sampleHandlerQueue: videoQueue)
    if capturesAudio { try stream.addStreamOutput(self, type: .audio, sampleHandlerQueue: audioQueue) }
    self.stream = stream
  }

  func start() async throws {
    try await stream?.startCapture()
  }

  func stop() async {
    do { try await stream?.stopCapture() } catch { logger.debug("stopCapture: \(error.localizedDescription, privacy: .public)") }
    stream = nil
  }

  /// Swaps the filter without restarting (the excluded-window list changed).
  func update(filter: SCContentFilter) async throws {
    try await stream?.updateContentFilter(filter)
  }

  // MARK: SCStreamOutput

  func stream(_ stream: SCStream, didOutputSampleBuffer sampleBuffer: CMSampleBuffer, of type: SCStreamOutputType) {
    guard sampleBuffer.isValid else { return }
    switch type {
    case .screen:
      handlers.frame(sampleBuffer, Self.frameStatus(of: sampleBuffer))
    case .audio:
      handlers.audio?(sampleBuffer)
    default:
      break
    }
  }

  func stream(_ stream: SCStream, didStopWithError error: any Error) {
    logger.error("capture of \(self.sourceID, privacy: .public) stopped: \(error.localizedDescription, privacy: .public)")
    handlers.stopped(error)
  }

  /// SCFrameStatus from the sample's attachments; `.complete` is the only status with new pixels.
  static func frameStatus(of sampleBuffer: CMSampleBuffer) -> SCFrameStatus {
    guard
      let attachments = CMSampleBufferGetSampleAttachmentsArray(sampleBuffer, createIfNecessary: false)
        as? [[SCStreamFrameInfo: Any]],
      let raw = attachments.first?[.status] as? Int,
      let status = SCFrameStatus(rawValue: raw)
    else { return .blank }
    return status
  }
}

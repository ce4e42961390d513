import AVFoundation
import CoreMedia
import StintCore

/// A webcam through AVCaptureSession, delivering BGRA frames on the video pipeline's queue
/// with timestamps moved onto the host clock so they line up with ScreenCaptureKit's.
final class CameraCaptureSource: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate, @unchecked Sendable {
  enum CameraError: LocalizedError {
    case notFound(String)
    case cannotAdd

    var errorDescription: String? {
      switch self {
      case .notFound(let id): "Camera \(id) is not connected."
      case .cannotAdd: "The camera could not be added to the capture session."
      }
    }
  }

  let sourceID: String
  private(set) var size: PixelSize
  private let session = AVCaptureSession()
  private let output = AVCaptureVideoDataOutput()
  private let onFrame: @Sendable (CMSampleBuffer) -> Void

  init(sourceID: String, queue: DispatchQueue, onFrame: @escaping @Sendable (CMSampleBuffer) -> Void) throws {
    self.sourceID = sourceID
    self.onFrame = onFrame
    guard let device = AVCaptureDevice(uniqueID: sourceID) else { throw CameraError.notFound(sourceID) }
    let dimensions = CMVideoFormatDescriptionGetDimensions(device.activeFormat.formatDescription)
    size = PixelSize(width: Double(dimensions.width), height: Double(dimensions.height))
    super.init()

    session.beginConfiguration()
    defer { session.commitConfiguration() }
    session.sessionPreset = .high
    let input = try AVCaptureDeviceInput(device: device)
    guard session.canAddInput(input), session.canAddOutput(output) else { throw CameraError.cannotAdd }
    session.addInput(input)
    output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_32BGRA]
    // A late frame is worth less than the next one: let AVFoundation drop it.
    output.alwaysDiscardsLateVideoFrames = true
    output.setSampleBufferDelegate(self, queue: queue)
    session.addOutput(output)
  }

  func start() { session.startRunning() }
  func stop() { session.stopRunning() }

  func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
    // Retime onto the host clock when the session runs on another one.
    let clock = session.synchronizationClock ?? CMClockGetHostTimeClock()
    let pts = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
    let hostPTS = CMSyncConvertTime(pts, from: clock, to: CMClockGetHostTimeClock())
    var timing = CMSampleTimingInfo(duration: .invalid, presentationTimeStamp: hostPTS, decodeTimeStamp: .invalid)
    var retimed: CMSampleBuffer?
    if CMSampleBufferCreateCopyWithNewTiming(
      allocator: nil, sampleBuffer: sampleBuffer, sampleTimingEntryCount: 1, sampleTimingArray: &timing,
      sampleBufferOut: &retimed) == noErr, let retimed
    {
      onFrame(retimed)
    } else {
      onFrame(sampleBuffer)
    }
  }
}

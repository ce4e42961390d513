import AVFoundation
import CoreMedia
import OSLog
import StintCore

/// Microphone (AVCaptureSession) and system audio (the SCStream's audio output) mixed with
/// the user's balance and written as WAV segments. Everything runs on `queue`; both inputs
/// deliver there, so the mixer needs no lock.
final class AudioCapture: NSObject, AVCaptureAudioDataOutputSampleBufferDelegate, @unchecked Sendable {
  static let sampleRate = 48_000.0
  static let channels = 2

  let queue = DispatchQueue(label: "app.stint.audio", qos: .userInitiated)
  private let sessionID: String
  private let directory: URL
  private let segmentFrames: Int
  private let notify: @Sendable (RecordingNotification) async -> Void
  private let logger = Logger(subsystem: "app.stint", category: "audio")
  private let targetFormat = AVAudioFormat(
    commonFormat: .pcmFormatFloat32, sampleRate: AudioCapture.sampleRate, channels: AVAudioChannelCount(AudioCapture.channels),
    interleaved: true)!

  private var mixer: AudioMixer
  private let microphoneOn: Bool
  private let systemOn: Bool
  private var captureSession: AVCaptureSession?
  private var normalizers: [String: AudioNormalizer] = [:]
  private var pump: DispatchSourceTimer?
  private var paused = false

  private var file: AVAudioFile?
  private var fileURL: URL?
  private var fileFrames = 0
  private var fileStartedAt: Int64 = 0
  private var sequence = 0
  private var segmentMicPeak: Float = 0
  private var intervalMicPeak: Float = 0
  private var lastLevelReport = Date.distantPast
  private var lastBufferReport = Date.distantPast

  init(
    sessionID: String, directory: URL, configuration: RecorderConfiguration.Audio,
    notify: @escaping @Sendable (RecordingNotification) async -> Void
  ) {
    self.sessionID = sessionID
    self.directory = directory
    self.segmentFrames = Int(Double(configuration.segmentMs) / 1000 * Self.sampleRate)
    self.notify = notify
    self.microphoneOn = configuration.microphone
    self.systemOn = configuration.systemAudio
    // Two seconds of headroom per input: the pump drains every 100 ms.
    self.mixer = AudioMixer(
      channels: Self.channels, capacityFrames: Int(Self.sampleRate * 2), balance: AudioBalance(balance: configuration.balance),
      microphone: configuration.microphone, system: configuration.systemAudio)
    super.init()
    if configuration.microphone { try? configureMicrophone(id: configuration.microphoneId) }
  }

  private func configureMicrophone(id: String?) throws {
    let device = id.flatMap(AVCaptureDevice.init(uniqueID:)) ?? AVCaptureDevice.default(for: .audio)
    guard let device else { throw HostError(code: "ENOENT", message: "no microphone") }
    let session = AVCaptureSession()
    session.beginConfiguration()
    let input = try AVCaptureDeviceInput(device: device)
    let output = AVCaptureAudioDataOutput()
    // Ask AVFoundation for the mixer's format; it converts in its own pipeline.
    output.audioSettings = [
      AVFormatIDKey: kAudioFormatLinearPCM, AVSampleRateKey: Self.sampleRate, AVNumberOfChannelsKey: Self.channels,
      AVLinearPCMBitDepthKey: 32, AVLinearPCMIsFloatKey: true, AVLinearPCMIsNonInterleaved: false,
    ]
    output.setSampleBufferDelegate(self, queue: queue)
    if session.canAddInput(input) { session.addInput(input) }
    if session.canAddOutput(output) { session.addOutput(output) }
    session.commitConfiguration()
    captureSession = session
  }

  func start() {
    captureSession?.startRunning()
    queue.async { [self] in
      let timer = DispatchSource.makeTimerSource(queue: queue)
      timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100), leeway: .milliseconds(10))
      timer.setEventHandler { [weak self] in self?.pumpMixer(flush: false) }
      timer.resume()
      pump = timer
    }
  }

  func setPaused(_ value: Bool) {
    queue.async { [self] in
      paused = value
      // Close the segment at a pause: no segment straddles a gap in session time.
      if value { pumpMixer(flush: true); closeSegment() }
    }
  }

  func setBalance(_ balance: Double) {
    queue.async { [self] in mixer.balance = AudioBalance(balance: balance) }
  }

  func stop() async {
    captureSession?.stopRunning()
    await withCheckedContinuation { continuation in
      queue.async { [self] in
        pump?.cancel()
        pump = nil
        pumpMixer(flush: true)
        closeSegment()
        continuation.resume()
      }
    }
  }

  // MARK: Inputs

  func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
    ingest(sampleBuffer, input: .microphone)
  }

  /// System audio from the SCStream, already on `queue`.
  func ingestSystemAudio(_ sampleBuffer: CMSampleBuffer) {
    ingest(sampleBuffer, input: .system)
  }

  private func ingest(_ sampleBuffer: CMSampleBuffer, input: AudioMixer.Input) {
    dispatchPrecondition(condition: .onQueue(queue))
    guard !paused else { return }
    let key = input == .microphone ? "microphone" : "system"
    let normalizer = normalizers[key] ?? AudioNormalizer(target: targetFormat)
    normalizers[key] = normalizer
    guard let samples = normalizer.interleavedSamples(from: sampleBuffer) else { return }
    if input == .microphone {
      let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
      segmentMicPeak = max(segmentMicPeak, peak)
      intervalMicPeak = max(intervalMicPeak, peak)
    }
    mixer.push(samples, to: input)
  }

  // MARK: Mixing and writing

  private func pumpMixer(flush: Bool) {
    let fill = mixer.fill
    let mixed = mixer.pull(flush: flush)
    if !mixed.isEmpty { write(mixed) }
    reportHealth(fill: fill)
  }

  private func write(_ samples: [Float]) {
    var offset = 0
    while offset < samples.count {
      if file == nil { openSegment() }
      guard let file else { return }
      let framesLeft = segmentFrames - fileFrames
      let count = min(framesLeft * Self.channels, samples.count - offset)
      let frames = count / Self.channels
      guard let buffer = AVAudioPCMBuffer(pcmFormat: targetFormat, frameCapacity: AVAudioFrameCount(frames)) else { return }
      buffer.frameLength = AVAudioFrameCount(frames)
      samples.withUnsafeBufferPointer { source in
        buffer.floatChannelData![0].update(from: source.baseAddress!.advanced(by: offset), count: count)
      }
      do {
        try file.write(from: buffer)
      } catch {
        logger.error("audio write failed: \(error.localizedDescription, privacy: .public)")
        report(.writeFailed(service: .audio, code: (error as NSError).code == Int(ENOSPC) ? "ENOSPC" : "EIO", message: error.localizedDescription))
        closeSegment()
        return
      }
      fileFrames += frames
      offset += count
      if fileFrames >= segmentFrames { closeSegment() }
    }
  }

  private func openSegment() {
    let url = directory.appendingPathComponent(SegmentClock.fileName(prefix: "audio", index: sequence, ext: "wav"))
    let settings: [String: Any] = [
      AVFormatIDKey: kAudioFormatLinearPCM, AVSampleRateKey: Self.sampleRate, AVNumberOfChannelsKey: Self.channels,
      AVLinearPCMBitDepthKey: 16, AVLinearPCMIsFloatKey: false, AVLinearPCMIsBigEndianKey: false,
    ]
    do {
      file = try AVAudioFile(forWriting: url, settings: settings, commonFormat: .pcmFormatFloat32, interleaved: true)
      fileURL = url
      fileFrames = 0
      segmentMicPeak = 0
      fileStartedAt = Date().epochMilliseconds - Int64(mixer.fill * 2000)
    } catch {
      logger.error("audio segment could not start: \(error.localizedDescription, privacy: .public)")
      report(.writeFailed(service: .audio, code: "EIO", message: error.localizedDescription))
    }
  }

  private func closeSegment() {
    guard let url = fileURL, fileFrames > 0 else {
      file = nil
      fileURL = nil
      return
    }
    // Releasing the AVAudioFile writes the final WAV header sizes.
    file = nil
    fileURL = nil
    let item = (
      sequence: sequence, frames: fileFrames, startedAt: fileStartedAt, peak: Double(min(1, segmentMicPeak)),
      source: microphoneOn && systemOn ? AudioSegmentCaptured.Source.mixed : microphoneOn ? .microphone : .system
    )
    sequence += 1
    let sessionID = self.sessionID
    let notify = self.notify
    Task.detached {
      guard let digest = try? FileDigest.compute(url) else { return }
      let durationMs = Int64((Double(item.frames) / AudioCapture.sampleRate * 1000).rounded())
      await notify(
        .audio(
          AudioSegmentCaptured(
            sessionId: sessionID, sequence: item.sequence, path: url.path, sha256: digest.sha256, size: digest.size,
            durationMs: max(1, durationMs), startedAt: item.startedAt, sampleRate: Int(AudioCapture.sampleRate),
            channels: AudioCapture.channels, peak: item.peak, source: item.source)))
    }
  }

  private func reportHealth(fill: Double) {
    let now = Date()
    if microphoneOn, now.timeIntervalSince(lastLevelReport) >= 2 {
      report(.level(peak: Double(min(1, intervalMicPeak))))
      intervalMicPeak = 0
      lastLevelReport = now
    }
    if fill >= 0.9 || now.timeIntervalSince(lastBufferReport) >= 10 {
      report(.buffer(service: .audio, fill: fill))
      lastBufferReport = now
    }
  }

  private func report(_ signal: CaptureHealthSample.Signal) {
    let sample = CaptureHealthSample(sessionId: sessionID, at: Date().epochMilliseconds, signal: signal)
    let notify = self.notify
    Task { await notify(.health(sample)) }
  }
}

/// Converts whatever an input delivers (SCStream: Float32 planar; a USB mic: Int16 at 44.1 kHz)
/// into the mixer's 48 kHz interleaved Float32, reusing one converter per input format.
final class AudioNormalizer {
  private let target: AVAudioFormat
  private var converter: AVAudioConverter?
  private var sourceFormat: AVAudioFormat?

  init(target: AVAudioFormat) { self.target = target }

  func interleavedSamples(from sampleBuffer: CMSampleBuffer) -> [Float]? {
    guard let description = sampleBuffer.formatDescription else { return nil }
    let format = AVAudioFormat(cmAudioFormatDescription: description)
    let frames = AVAudioFrameCount(sampleBuffer.numSamples)
    guard frames > 0, let input = AVAudioPCMBuffer(pcmFormat: format, frameCapacity: frames) else { return nil }
    input.frameLength = frames
    guard
      CMSampleBufferCopyPCMDataIntoAudioBufferList(
        sampleBuffer, at: 0, frameCount: Int32(frames), into: input.mutableAudioBufferList) == noErr
    else { return nil }

    if format == target, let data = input.floatChannelData {
      return Array(UnsafeBufferPointer(start: data[0], count: Int(frames) * Int(target.channelCount)))
    }
    if sourceFormat != format {
      converter = AVAudioConverter(from: format, to: target)
      sourceFormat = format
    }
    guard let converter else { return nil }
    let capacity = AVAudioFrameCount(Double(frames) * target.sampleRate / format.sampleRate) + 32
    guard let output = AVAudioPCMBuffer(pcmFormat: target, frameCapacity: capacity) else { return nil }
    var consumed = false
    var error: NSError?
    converter.convert(to: output, error: &error) { _, status in
      if consumed {
        status.pointee = .noDataNow
        return nil
      }
      consumed = true
      status.pointee = .haveData
      return input
    }
    guard error == nil, let data = output.floatChannelData else { return nil }
    return Array(UnsafeBufferPointer(start: data[0], count: Int(output.frameLength) * Int(target.channelCount)))
  }
}

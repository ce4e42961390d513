import AVFoundation
import CoreMedia
import OSLog
import StintCore

/// Microphone (AVCaptureSession) and system audio (the SCStream's audio output) mixed with
/// the user's balance and written as WAV segments. Everything runs on `queue`; both inputs
/// deliver there, so the mixer needs no lock.
///
/// The mixer runs on the host clock: every 100 ms it writes what is due 200 ms behind the
/// clock, placing each input's samples by their timestamps and padding an input that sent
/// nothing with silence. ScreenCaptureKit sends no system audio while the Mac is silent;
/// a mixer that waited for both inputs would drop the microphone then.
final class AudioCapture: NSObject, AVCaptureAudioDataOutputSampleBufferDelegate, @unchecked Sendable {
  static let sampleRate = 48_000.0
  static let channels = 2
  /// How far the mix runs behind the clock, so late buffers still land in place.
  static let latency = 0.2
  static let pumpInterval = DispatchTimeInterval.milliseconds(100)

  let queue = DispatchQueue(label: "app.stint.audio", qos: .userInitiated)
  private let sessionID: String
  private let directory: URL
  private let segmentFrames: Int
  private let ledger: ReportLedger
  private let notify: @Sendable (RecordingNotification) async -> Void
  private let logger = Logger(subsystem: "app.stint", category: "audio")
  private let targetFormat: AVAudioFormat

  // Queue-confined state.
  private var mixer: AudioMixer
  private let microphoneOn: Bool
  private let systemOn: Bool
  private var captureSession: AVCaptureSession?
  private var normalizers: [AudioMixer.Input: AudioNormalizer] = [:]
  private var pump: DispatchSourceTimer?
  private var paused = false
  /// Host time and wall clock of timeline frame 0.
  private var origin: MediaTime?
  private var originEpochMs: Int64 = 0
  private var throttle = HealthThrottle(interval: 10, urgentInterval: 2)

  private var file: AVAudioFile?
  private var fileURL: URL?
  private var fileFrames = 0
  private var fileStartedAt: Int64 = 0
  private var sequence = 0
  private var segmentMicPeak: Float = 0
  private var intervalMicPeak: Float = 0
  private var lastLevelReport: MediaTime?

  init(
    sessionID: String, directory: URL, configuration: RecorderConfiguration.Audio, ledger: ReportLedger,
    notify: @escaping @Sendable (RecordingNotification) async -> Void
  ) throws {
    guard
      let format = AVAudioFormat(
        commonFormat: .pcmFormatFloat32, sampleRate: Self.sampleRate, channels: AVAudioChannelCount(Self.channels),
        interleaved: true)
    else { throw HostError(code: "EIO", message: "no audio format") }
    targetFormat = format
    self.sessionID = sessionID
    self.directory = directory
    self.segmentFrames = max(1, Int(Double(configuration.segmentMs) / 1000 * Self.sampleRate))
    self.ledger = ledger
    self.notify = notify
    self.microphoneOn = configuration.microphone
    self.systemOn = configuration.systemAudio
    // Two seconds per input is ample: the pump drains every 100 ms.
    self.mixer = AudioMixer(
      channels: Self.channels, capacityFrames: Int(Self.sampleRate * 2), latencyFrames: Int64(Self.sampleRate * Self.latency),
      toleranceFrames: Int64(Self.sampleRate / 100), balance: AudioBalance(balance: configuration.balance),
      microphone: configuration.microphone, system: configuration.systemAudio)
    super.init()
    if configuration.microphone { try configureMicrophone(id: configuration.microphoneId) }
  }

  private func configureMicrophone(id: String?) throws {
    let device = id.flatMap(AVCaptureDevice.init(uniqueID:)) ?? AVCaptureDevice.default(for: .audio)
    guard let device else { throw HostError(code: "ENOENT", message: "no microphone") }
    let session = AVCaptureSession()
    session.beginConfiguration()
    defer { session.commitConfiguration() }
    let input = try AVCaptureDeviceInput(device: device)
    let output = AVCaptureAudioDataOutput()
    // Ask AVFoundation for the mixer's format; it converts in its own pipeline.
    output.audioSettings = [
      AVFormatIDKey: kAudioFormatLinearPCM, AVSampleRateKey: Self.sampleRate, AVNumberOfChannelsKey: Self.channels,
      AVLinearPCMBitDepthKey: 32, AVLinearPCMIsFloatKey: true, AVLinearPCMIsNonInterleaved: false,
    ]
    output.setSampleBufferDelegate(self, queue: queue)
    guard session.canAddInput(input), session.canAddOutput(output) else {
      throw HostError(code: "EIO", message: "the microphone cannot be added to the capture session")
    }
    session.addInput(input)
    session.addOutput(output)
    captureSession = session
  }

  static func hostNow() -> MediaTime {
    MediaTime.seconds(CMClockGetTime(CMClockGetHostTimeClock()).seconds)
  }

  /// Timeline frame of a host time.
  private func frame(at time: MediaTime) -> Int64 {
    guard let origin else { return 0 }
    return Int64(((time - origin).seconds * Self.sampleRate).rounded())
  }

  private func epochMs(ofFrame frame: Int64) -> Int64 {
    originEpochMs + Int64((Double(frame) / Self.sampleRate * 1000).rounded())
  }

  func start() {
    captureSession?.startRunning()
    queue.async { [self] in
      origin = Self.hostNow()
      originEpochMs = Date().epochMilliseconds
      let timer = DispatchSource.makeTimerSource(queue: queue)
      timer.schedule(deadline: .now() + Self.pumpInterval, repeating: Self.pumpInterval, leeway: .milliseconds(10))
      timer.setEventHandler { [weak self] in self?.pumpMixer() }
      timer.resume()
      pump = timer
    }
  }

  /// Writes everything captured so far and closes the segment (no segment straddles a gap
  /// in session time); its report is in the ledger when this returns.
  func pause() async {
    await onQueue { [self] in
      guard !paused else { return }
      paused = true
      let start = mixer.emittedFrames
      write(mixer.flush(clockFrame: frame(at: Self.hostNow())), from: start)
      closeSegment()
    }
  }

  func resume() async {
    await onQueue { [self] in
      guard paused else { return }
      // The paused span is not written: the timeline jumps to now.
      mixer.skip(to: frame(at: Self.hostNow()))
      paused = false
    }
  }

  func setBalance(_ balance: Double) {
    queue.async { [self] in mixer.balance = AudioBalance(balance: balance) }
  }

  /// Stops both inputs, writes what is left and closes the last segment; its report is in
  /// the ledger when this returns.
  func stop() async {
    captureSession?.stopRunning()
    await onQueue { [self] in
      pump?.cancel()
      pump = nil
      if !paused, origin != nil {
        let start = mixer.emittedFrames
        write(mixer.flush(clockFrame: frame(at: Self.hostNow())), from: start)
      }
      paused = true
      closeSegment()
    }
  }

  private func onQueue(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      queue.async {
        body()
        continuation.resume()
      }
    }
  }

  // MARK: Inputs

  func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
    // The session stamps buffers on its own clock; the timeline is on the host clock.
    let clock = captureSession?.synchronizationClock ?? CMClockGetHostTimeClock()
    let pts = CMSyncConvertTime(sampleBuffer.presentationTimeStamp, from: clock, to: CMClockGetHostTimeClock())
    ingest(sampleBuffer, at: pts, input: .microphone)
  }

  /// System audio from the SCStream, already on `queue` and on the host clock.
  func ingestSystemAudio(_ sampleBuffer: CMSampleBuffer) {
    ingest(sampleBuffer, at: sampleBuffer.presentationTimeStamp, input: .system)
  }

  private func ingest(_ sampleBuffer: CMSampleBuffer, at pts: CMTime, input: AudioMixer.Input) {
    dispatchPrecondition(condition: .onQueue(queue))
    guard !paused, origin != nil, pts.isValid else { return }
    let normalizer = normalizers[input] ?? AudioNormalizer(target: targetFormat)
    normalizers[input] = normalizer
    guard let samples = normalizer.interleavedSamples(from: sampleBuffer) else { return }
    if input == .microphone {
      let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
      segmentMicPeak = max(segmentMicPeak, peak)
      intervalMicPeak = max(intervalMicPeak, peak)
    }
    mixer.push(samples, to: input, atFrame: frame(at: MediaTime.seconds(pts.seconds)))
  }

  // MARK: Mixing and writing

  private func pumpMixer() {
    guard !paused else { return }
    let fill = mixer.fill
    let start = mixer.emittedFrames
    let mixed = mixer.pull(clockFrame: frame(at: Self.hostNow()))
    write(mixed, from: start)
    reportHealth(fill: fill)
  }

  /// Writes interleaved samples that start at timeline frame `startFrame`.
  private func write(_ samples: [Float], from startFrame: Int64) {
    var offset = 0
    while offset < samples.count {
      if file == nil { openSegment(atFrame: startFrame + Int64(offset / Self.channels)) }
      guard let file else { return }
      let framesLeft = segmentFrames - fileFrames
      let count = min(framesLeft * Self.channels, samples.count - offset)
      let frames = count / Self.channels
      guard let buffer = AVAudioPCMBuffer(pcmFormat: targetFormat, frameCapacity: AVAudioFrameCount(frames)),
        let channelData = buffer.floatChannelData
      else { return }
      buffer.frameLength = AVAudioFrameCount(frames)
      samples.withUnsafeBufferPointer { source in
        guard let base = source.baseAddress else { return }
        channelData[0].update(from: base.advanced(by: offset), count: count)
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

  private func openSegment(atFrame startFrame: Int64) {
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
      fileStartedAt = epochMs(ofFrame: startFrame)
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
    // Releasing the only reference to the AVAudioFile writes the WAV header's final sizes
    // before this returns (`close()` exists only from macOS 15).
    file = nil
    fileURL = nil
    let sequence = self.sequence
    let frames = fileFrames
    let startedAt = fileStartedAt
    let peak = Double(min(1, segmentMicPeak))
    let source: AudioSegmentCaptured.Source = microphoneOn && systemOn ? .mixed : microphoneOn ? .microphone : .system
    self.sequence += 1
    let sessionID = self.sessionID
    let notify = self.notify
    let logger = self.logger
    ledger.track {
      let digest: FileDigest
      do { digest = try FileDigest.compute(url) } catch {
        logger.error("audio segment \(sequence) unreadable: \(error.localizedDescription, privacy: .public)")
        return
      }
      let durationMs = Int64((Double(frames) / AudioCapture.sampleRate * 1000).rounded())
      await notify(
        .audio(
          AudioSegmentCaptured(
            sessionId: sessionID, sequence: sequence, path: url.path, sha256: digest.sha256, size: digest.size,
            durationMs: max(1, durationMs), startedAt: startedAt, sampleRate: Int(AudioCapture.sampleRate),
            channels: AudioCapture.channels, peak: peak, source: source)))
    }
  }

  private func reportHealth(fill: Double) {
    let now = Self.hostNow()
    if microphoneOn, lastLevelReport.map({ (now - $0).seconds >= 2 }) ?? true {
      report(.level(peak: Double(min(1, intervalMicPeak))))
      intervalMicPeak = 0
      lastLevelReport = now
    }
    // A steady sample every 10 s; while the buffer is nearly full, one every 2 s at most.
    if throttle.shouldSend("buffer", now: now.seconds, urgent: fill >= 0.9) {
      report(.buffer(service: .audio, fill: fill))
    }
  }

  private func report(_ signal: CaptureHealthSample.Signal) {
    let sample = CaptureHealthSample(sessionId: sessionID, at: Date().epochMilliseconds, signal: signal)
    let notify = self.notify
    ledger.track { await notify(.health(sample)) }
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

import AVFoundation
import StintCore

/// `host.media` on AVFoundation: concatenate WAV segments, merge video segments with the
/// audio into one H.264 + AAC MP4, probe a file.
struct MediaToolkit: Sendable {
  struct Probe: Encodable, Sendable {
    var durationMs: Double
    var hasVideo: Bool
    var hasAudio: Bool
    var width: Int?
    var height: Int?
    var sampleRate: Int?
    var channels: Int?
  }

  /// Streams every input through one AVAudioFile writer in 64k-frame chunks (bounded memory);
  /// inputs in another format are converted by AVAudioFile's processing format.
  func concatenateAudio(_ inputs: [URL], to output: URL) async throws {
    guard let first = inputs.first else { throw HostError(code: "EINVAL", message: "no audio inputs") }
    let firstFile = try AVAudioFile(forReading: first)
    let format = firstFile.processingFormat
    let settings: [String: Any] = [
      AVFormatIDKey: kAudioFormatLinearPCM, AVSampleRateKey: format.sampleRate, AVNumberOfChannelsKey: format.channelCount,
      AVLinearPCMBitDepthKey: 16, AVLinearPCMIsFloatKey: false, AVLinearPCMIsBigEndianKey: false,
    ]
    try? FileManager.default.removeItem(at: output)
    var writer: AVAudioFile? = try AVAudioFile(
      forWriting: output, settings: settings, commonFormat: format.commonFormat, interleaved: format.isInterleaved)
    guard let buffer = AVAudioPCMBuffer(pcmFormat: format, frameCapacity: 65_536) else { throw HostError(code: "EIO", message: "no buffer") }
    for url in inputs {
      try Task.checkCancellation()
      let file = try AVAudioFile(forReading: url, commonFormat: format.commonFormat, interleaved: format.isInterleaved)
      guard file.processingFormat.sampleRate == format.sampleRate, file.processingFormat.channelCount == format.channelCount else {
        throw HostError(code: "EINVAL", message: "\(url.lastPathComponent) has a different sample rate or channel count")
      }
      while file.framePosition < file.length {
        try file.read(into: buffer)
        if buffer.frameLength == 0 { break }
        try writer?.write(from: buffer)
      }
    }
    // Releasing the writer writes the WAV header's final sizes.
    writer = nil
  }

  /// Video segments in order, plus the audio track, exported as H.264 + AAC.
  func mergeVideo(_ videos: [URL], audio: URL?, to output: URL) async throws {
    let composition = AVMutableComposition()
    guard let videoTrack = composition.addMutableTrack(withMediaType: .video, preferredTrackID: kCMPersistentTrackID_Invalid) else {
      throw HostError(code: "EIO", message: "cannot create a video track")
    }
    var cursor = CMTime.zero
    for url in videos {
      let asset = AVURLAsset(url: url)
      guard let track = try await asset.loadTracks(withMediaType: .video).first else { continue }
      let duration = try await asset.load(.duration)
      try videoTrack.insertTimeRange(CMTimeRange(start: .zero, duration: duration), of: track, at: cursor)
      if cursor == .zero { videoTrack.preferredTransform = try await track.load(.preferredTransform) }
      cursor = cursor + duration
    }
    if let audio {
      let asset = AVURLAsset(url: audio)
      if let track = try await asset.loadTracks(withMediaType: .audio).first,
        let audioTrack = composition.addMutableTrack(withMediaType: .audio, preferredTrackID: kCMPersistentTrackID_Invalid)
      {
        let duration = min(try await asset.load(.duration), cursor == .zero ? .positiveInfinity : cursor)
        try audioTrack.insertTimeRange(CMTimeRange(start: .zero, duration: duration), of: track, at: .zero)
      }
    }
    // HighestQuality into .mp4 is H.264 video and AAC audio.
    guard let export = AVAssetExportSession(asset: composition, presetName: AVAssetExportPresetHighestQuality) else {
      throw HostError(code: "EIO", message: "cannot create an export session")
    }
    try? FileManager.default.removeItem(at: output)
    export.outputURL = output
    export.outputFileType = .mp4
    export.shouldOptimizeForNetworkUse = true
    await export.export()
    if export.status != .completed {
      throw HostError(code: "EIO", message: "export failed: \(export.error?.localizedDescription ?? "unknown")")
    }
  }

  func probe(_ url: URL) async throws -> Probe {
    let asset = AVURLAsset(url: url)
    let duration = try await asset.load(.duration)
    let video = try await asset.loadTracks(withMediaType: .video).first
    let audio = try await asset.loadTracks(withMediaType: .audio).first
    var probe = Probe(durationMs: duration.seconds * 1000, hasVideo: video != nil, hasAudio: audio != nil)
    if let video {
      let size = try await video.load(.naturalSize)
      probe.width = Int(size.width)
      probe.height = Int(size.height)
    }
    if let audio, let description = try await audio.load(.formatDescriptions).first,
      let basic = CMAudioFormatDescriptionGetStreamBasicDescription(description)?.pointee
    {
      probe.sampleRate = Int(basic.mSampleRate)
      probe.channels = Int(basic.mChannelsPerFrame)
    }
    return probe
  }
}

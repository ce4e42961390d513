/// What a recording costs on disk per hour, from the recording settings and the sources'
/// pixel sizes, so the settings can show it before recording and the low-disk alarm can
/// warn while an hour of recording still fits.
///
/// Video is the encoder's average bit rate (the writer asks for exactly that); audio is the
/// WAV the recorder writes (48 kHz, 16-bit, stereo, one header per segment); screenshots are
/// PNGs of the full source at `pngBytesPerPixel`, a typical figure for screens of text and
/// UI (photos and video on screen compress worse, so it is an estimate, labelled as such).
public struct RecordingBudget: Sendable, Hashable {
  public static let audioSampleRate = 48_000.0
  public static let audioChannels = 2.0
  public static let audioBytesPerSample = 2.0
  public static let wavHeaderBytes = 44.0
  public static let pngBytesPerPixel = 0.35
  /// The alarm never fires later than this, whatever the settings.
  public static let minimumLowDiskBytes: Int64 = 1 << 30

  public var videoBytesPerHour: Double
  public var screenshotBytesPerHour: Double
  public var audioBytesPerHour: Double

  public var bytesPerHour: Double { videoBytesPerHour + screenshotBytesPerHour + audioBytesPerHour }
  /// Megabytes (10^6 bytes, as Finder counts) per hour.
  public var megabytesPerHour: Double { bytesPerHour / 1_000_000 }

  public init(videoBytesPerHour: Double, screenshotBytesPerHour: Double, audioBytesPerHour: Double) {
    self.videoBytesPerHour = videoBytesPerHour
    self.screenshotBytesPerHour = screenshotBytesPerHour
    self.audioBytesPerHour = audioBytesPerHour
  }

  /// `screens` are the pixel sizes of displays and windows (at their backing scale),
  /// `cameras` those of webcams; only screens are screenshotted.
  public init(settings: StintSettings, screens: [PixelSize], cameras: [PixelSize] = []) {
    let sources = screens + cameras
    var video = 0.0
    if settings.videoEnabled, !sources.isEmpty {
      let layout = sources.count > 1 ? settings.layout : .passthrough
      let canvas = LayoutMath.canvasSize(for: sources, layout: layout, maxEdge: settings.videoQuality.maxEdge)
      video = Double(settings.videoQuality.bitRate(forPixels: canvas.width * canvas.height)) / 8 * 3600
    }
    var screenshots = 0.0
    if settings.screenshotsEnabled, settings.screenshotIntervalSeconds > 0 {
      let pixels = screens.reduce(0) { $0 + $1.width * $1.height }
      screenshots = pixels * Self.pngBytesPerPixel * (3600 / settings.screenshotIntervalSeconds)
    }
    var audio = 0.0
    if settings.microphoneEnabled || settings.systemAudioEnabled {
      let segments = 3600 / Double(max(1, settings.audioSegmentSeconds))
      audio = Self.audioSampleRate * Self.audioChannels * Self.audioBytesPerSample * 3600 + segments * Self.wavHeaderBytes
    }
    self.init(videoBytesPerHour: video, screenshotBytesPerHour: screenshots, audioBytesPerHour: audio)
  }

  /// Free bytes below which the low-disk alarm fires: `hours` more of this recording, and
  /// never less than ``minimumLowDiskBytes``.
  public func lowDiskBytes(hours: Double = 1) -> Int64 {
    max(Self.minimumLowDiskBytes, Int64((bytesPerHour * max(0, hours)).rounded(.up)))
  }

  /// How long the free space lasts at this rate; nil when nothing is recorded.
  public func hoursLeft(freeBytes: Int64) -> Double? {
    bytesPerHour > 0 ? Double(freeBytes) / bytesPerHour : nil
  }
}

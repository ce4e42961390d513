import AVFoundation
import CoreMedia
import Foundation
import Speech

/// On-device transcription (`host.speech`). Nothing leaves the Mac: on macOS 26 `SpeechAnalyzer`
/// with `SpeechTranscriber` runs locally on an installed model; on 14–15, and when no model is
/// installed for the language, `SFSpeechRecognizer` is told to refuse server recognition.
enum OnDeviceSpeech {
  struct Segment: Sendable {
    var startMs: Double
    var endMs: Double
    var text: String
    var confidence: Double?
  }

  static func transcribe(_ url: URL, locale identifier: String?) async throws -> [Segment] {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw HostError(code: "ENOENT", message: "no audio at \(url.lastPathComponent)")
    }
    let locale = identifier.map(Locale.init(identifier:)) ?? Locale.current
    if #available(macOS 26.0, *) {
      let segments = try await transcribeWithAnalyzer(url, locale: locale)
      if let segments { return segments }
    }
    return try await transcribeWithRecognizer(url, locale: locale)
  }

  /// `nil` when the transcriber cannot serve this language from an installed model. Installing
  /// one is the user's choice in System Settings; the engine never downloads it behind their back.
  @available(macOS 26.0, *)
  private static func transcribeWithAnalyzer(_ url: URL, locale: Locale) async throws -> [Segment]? {
    guard SpeechTranscriber.isAvailable,
      let supported = await SpeechTranscriber.supportedLocale(equivalentTo: locale),
      await SpeechTranscriber.installedLocales.contains(where: { $0.identifier(.bcp47) == supported.identifier(.bcp47) })
    else { return nil }
    let transcriber = SpeechTranscriber(
      locale: supported, transcriptionOptions: [], reportingOptions: [], attributeOptions: [])
    let file: AVAudioFile
    do {
      file = try AVAudioFile(forReading: url)
    } catch {
      throw HostError(code: "EINVAL", message: "not readable audio: \(error.localizedDescription)")
    }
    // Results are collected while the analyzer reads the file; the stream ends when it finishes.
    let collector = Task { () throws -> [Segment] in
      var segments: [Segment] = []
      for try await result in transcriber.results where result.isFinal {
        let text = String(result.text.characters).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { continue }
        segments.append(
          Segment(
            startMs: result.range.start.seconds * 1000, endMs: result.range.end.seconds * 1000, text: text,
            confidence: nil))
      }
      return segments
    }
    let analyzer = SpeechAnalyzer(modules: [transcriber])
    do {
      let last = try await analyzer.analyzeSequence(from: file)
      if let last {
        try await analyzer.finalizeAndFinish(through: last)
      } else {
        await analyzer.cancelAndFinishNow()
      }
    } catch {
      collector.cancel()
      throw HostError(code: "EIO", message: "transcription failed: \(error.localizedDescription)")
    }
    return try await collector.value
  }

  private static func transcribeWithRecognizer(_ url: URL, locale: Locale) async throws -> [Segment] {
    let status = await withCheckedContinuation { continuation in
      SFSpeechRecognizer.requestAuthorization { continuation.resume(returning: $0) }
    }
    guard status == .authorized else { throw HostError(code: "EACCES", message: "speech recognition is not authorised") }
    guard let recognizer = SFSpeechRecognizer(locale: locale), recognizer.isAvailable,
      recognizer.supportsOnDeviceRecognition
    else {
      throw HostError(code: "EINVAL", message: "on-device speech recognition is unavailable for \(locale.identifier)")
    }
    let request = SFSpeechURLRecognitionRequest(url: url)
    request.requiresOnDeviceRecognition = true
    request.shouldReportPartialResults = false
    request.addsPunctuation = true

    return try await withCheckedThrowingContinuation { continuation in
      let once = ResumeOnce(continuation)
      _ = recognizer.recognitionTask(with: request) { result, error in
        if let error {
          // No speech at all is reported as an error by SFSpeechRecognizer; the port resolves [].
          let ns = error as NSError
          if ns.domain == "kAFAssistantErrorDomain" && ns.code == 1110 {
            once.resume(.success([]))
          } else {
            once.resume(.failure(HostError(code: "EIO", message: "transcription failed: \(error.localizedDescription)")))
          }
          return
        }
        guard let result, result.isFinal else { return }
        once.resume(.success(sentences(from: result.bestTranscription.segments)))
      }
    }
  }

  /// SFSpeechRecognizer reports single words; the engine wants phrases it can quote, so words
  /// are joined until a pause of more than 0.8 s or a sentence end.
  private static func sentences(from words: [SFTranscriptionSegment]) -> [Segment] {
    var out: [Segment] = []
    var current: Segment?
    var confidences: [Double] = []
    for word in words {
      let start = word.timestamp * 1000
      let end = (word.timestamp + word.duration) * 1000
      if var open = current, start - open.endMs <= 800, !open.text.hasSuffix("."), !open.text.hasSuffix("?") {
        open.text += " " + word.substring
        open.endMs = end
        current = open
      } else {
        if var done = current {
          done.confidence = confidences.reduce(0, +) / Double(max(1, confidences.count))
          out.append(done)
        }
        current = Segment(startMs: start, endMs: end, text: word.substring, confidence: nil)
        confidences = []
      }
      confidences.append(Double(word.confidence))
    }
    if var done = current {
      done.confidence = confidences.reduce(0, +) / Double(max(1, confidences.count))
      out.append(done)
    }
    return out
  }
}

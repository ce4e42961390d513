import Foundation
import Speech
import Vision

/// On-device OCR and transcription. Nothing leaves the Mac: Vision runs locally, and Speech
/// is told to refuse server recognition.
enum OnDeviceRecognition {
  struct Text: Sendable {
    var text: String
    var confidence: Double
  }

  struct Segment: Sendable {
    var startMs: Double
    var endMs: Double
    var text: String
    var confidence: Double
  }

  static func recognizeText(in url: URL) async throws -> Text {
    try await withCheckedThrowingContinuation { continuation in
      // Vision may both call the handler with an error and throw from perform: resume once.
      let once = ResumeOnce(continuation)
      let request = VNRecognizeTextRequest { request, error in
        if let error {
          once.resume(.failure(HostError(code: "EIO", message: "OCR failed: \(error.localizedDescription)")))
          return
        }
        let observations = request.results as? [VNRecognizedTextObservation] ?? []
        let candidates = observations.compactMap { $0.topCandidates(1).first }
        let text = candidates.map(\.string).joined(separator: "\n")
        let confidence = candidates.isEmpty ? 0 : candidates.map { Double($0.confidence) }.reduce(0, +) / Double(candidates.count)
        once.resume(.success(Text(text: text, confidence: confidence)))
      }
      request.recognitionLevel = .accurate
      request.usesLanguageCorrection = true
      do {
        try VNImageRequestHandler(url: url).perform([request])
      } catch {
        once.resume(.failure(HostError(code: "EIO", message: "OCR failed: \(error.localizedDescription)")))
      }
    }
  }

  static func transcribe(_ url: URL, locale: String?) async throws -> [Segment] {
    let status = await withCheckedContinuation { continuation in
      SFSpeechRecognizer.requestAuthorization { continuation.resume(returning: $0) }
    }
    guard status == .authorized else { throw HostError(code: "EACCES", message: "speech recognition is not authorised") }
    let recognizer = locale.map { SFSpeechRecognizer(locale: Locale(identifier: $0)) } ?? SFSpeechRecognizer()
    guard let recognizer, recognizer.isAvailable, recognizer.supportsOnDeviceRecognition else {
      throw HostError(code: "EINVAL", message: "on-device speech recognition is unavailable for this language")
    }
    let request = SFSpeechURLRecognitionRequest(url: url)
    request.requiresOnDeviceRecognition = true
    request.shouldReportPartialResults = false
    request.addsPunctuation = true

    return try await withCheckedThrowingContinuation { continuation in
      let once = ResumeOnce(continuation)
      _ = recognizer.recognitionTask(with: request) { result, error in
        if let error {
          once.resume(.failure(HostError(code: "EIO", message: "transcription failed: \(error.localizedDescription)")))
          return
        }
        guard let result, result.isFinal else { return }
        let segments = result.bestTranscription.segments.map {
          Segment(
            startMs: $0.timestamp * 1000, endMs: ($0.timestamp + $0.duration) * 1000, text: $0.substring,
            confidence: Double($0.confidence))
        }
        once.resume(.success(segments))
      }
    }
  }
}

import Foundation
import StintCore

extension EngineHost {
  /// `host.vision` (Vision text recognition), `host.speech` (on-device Speech) and
  /// `host.languageModel` (Foundation Models). Nothing here sends data off the Mac.
  func installRecognition(on root: HostObjectBuilder) {
    let fs = self.files
    let vision = root.capability("vision")
    vision.async("recognizeText") { arguments in
      let url = try fs.url(try arguments[argument: 0].requireString("path"))
      let languages = arguments[argument: 1]["languages"].array?.compactMap(\.string)
      let result = try await OnDeviceRecognition.recognizeText(in: url, languages: languages)
      return .object([
        "text": .string(result.text), "confidence": .number(result.confidence),
        "lines": .array(
          result.lines.map { line in
            HostValue.object([
              "text": .string(line.text), "confidence": .number(line.confidence),
              "box": .object([
                "x": .number(line.x), "y": .number(line.y), "width": .number(line.width), "height": .number(line.height),
              ]),
            ])
          }),
      ])
    }

    let speech = root.capability("speech")
    speech.async("transcribe") { arguments in
      let url = try fs.url(try arguments[argument: 0].requireString("path"))
      let locale = arguments[argument: 1]["locale"].string
      let segments = try await OnDeviceSpeech.transcribe(url, locale: locale)
      return .array(
        segments.map { segment in
          var fields: [String: HostValue] = [
            "startMs": .number(segment.startMs), "endMs": .number(segment.endMs), "text": .string(segment.text),
          ]
          if let confidence = segment.confidence { fields["confidence"] = .number(confidence) }
          return HostValue.object(fields)
        })
    }

    let languageModel = root.capability("languageModel")
    languageModel.async("status") { _ in
      let status = OnDeviceLanguageModel.status()
      var fields: [String: HostValue] = [
        "available": .bool(status.available), "model": .string(status.model),
        "contextTokens": .number(Double(status.contextTokens)),
      ]
      if let reason = status.reason { fields["reason"] = .string(reason) }
      return .object(fields)
    }
    languageModel.async("generate") { arguments in
      let request = arguments[argument: 0]
      let json = try await OnDeviceLanguageModel.generate(
        instructions: try request["instructions"].requireString("instructions"),
        prompt: try request["prompt"].requireString("prompt"),
        schema: try request["schema"].json(),
        maxOutputTokens: request["maxOutputTokens"].number.map { Int($0) })
      let value: JSONValue
      do {
        value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
      } catch {
        throw HostError(code: "EIO", message: "the model's answer is not JSON")
      }
      return .object(["json": HostValue(value)])
    }
  }
}

import Foundation
import StintCore

#if canImport(FoundationModels)
  import FoundationModels
#endif

/// The on-device language model (`host.languageModel`): Apple's Foundation Models on macOS 26
/// with Apple Intelligence, guided by a generation schema built at run time from the engine's
/// JSON schema. Nothing leaves the Mac. Reported unavailable, with the reason, everywhere else.
enum OnDeviceLanguageModel {
  struct Status: Sendable {
    var available: Bool
    var reason: String?
    var model: String
    var contextTokens: Int
  }

  /// The documented context window of the first on-device model, used where the OS cannot say.
  static let fallbackContextTokens = 4096

  static func status() -> Status {
    #if canImport(FoundationModels)
      if #available(macOS 26.0, *) {
        let model = SystemLanguageModel.default
        switch model.availability {
        case .available:
          return Status(available: true, reason: nil, model: "apple-on-device", contextTokens: model.contextSize)
        case .unavailable(.deviceNotEligible):
          return Status(available: false, reason: "not_eligible", model: "apple-on-device", contextTokens: fallbackContextTokens)
        case .unavailable(.appleIntelligenceNotEnabled):
          return Status(available: false, reason: "not_enabled", model: "apple-on-device", contextTokens: fallbackContextTokens)
        case .unavailable(.modelNotReady):
          return Status(available: false, reason: "model_not_ready", model: "apple-on-device", contextTokens: fallbackContextTokens)
        case .unavailable:
          return Status(available: false, reason: "unavailable", model: "apple-on-device", contextTokens: fallbackContextTokens)
        }
      }
    #endif
    return Status(available: false, reason: "os_too_old", model: "apple-on-device", contextTokens: fallbackContextTokens)
  }

  /// Generates JSON matching `schema` (a JSON Schema object); returns the JSON text.
  static func generate(instructions: String, prompt: String, schema: JSONValue, maxOutputTokens: Int?) async throws -> String {
    let current = status()
    guard current.available else {
      throw HostError(code: "unavailable", message: "the on-device language model is unavailable: \(current.reason ?? "unknown")")
    }
    #if canImport(FoundationModels)
      if #available(macOS 26.0, *) {
        let builder = SchemaBuilder()
        let root = try builder.schema(for: schema, name: "Answer")
        let generationSchema: GenerationSchema
        do {
          generationSchema = try GenerationSchema(root: root, dependencies: [])
        } catch {
          throw HostError(code: "EINVAL", message: "the schema cannot guide generation: \(error.localizedDescription)")
        }
        let session = LanguageModelSession(instructions: instructions)
        let options = GenerationOptions(maximumResponseTokens: maxOutputTokens)
        do {
          let response = try await session.respond(to: prompt, schema: generationSchema, options: options)
          return response.content.jsonString
        } catch let error as LanguageModelSession.GenerationError {
          if case .exceededContextWindowSize = error {
            throw HostError(code: "context_exceeded", message: "the input is larger than the model's context window")
          }
          throw HostError(code: "EIO", message: "generation failed: \(error.localizedDescription)")
        }
      }
    #endif
    throw HostError(code: "unavailable", message: "the on-device language model needs macOS 26")
  }
}

#if canImport(FoundationModels)
  /// Builds a `DynamicGenerationSchema` from the subset of JSON Schema the engine sends: objects
  /// with properties and `required`, arrays with `items`/`minItems`/`maxItems`, strings (with
  /// `enum`), integers, numbers and booleans. Nested objects get unique names from their path.
  @available(macOS 26.0, *)
  private struct SchemaBuilder {
    func schema(for json: JSONValue, name: String) throws -> DynamicGenerationSchema {
      guard case .object(let members) = json else { throw HostError(code: "EINVAL", message: "schema \(name) is not an object") }
      let description = members["description"].flatMap { if case .string(let s) = $0 { s } else { nil } }
      // A nullable field (`anyOf: [T, null]`) is generated as T; the engine validates again.
      if case .array(let choices)? = members["anyOf"],
        let first = choices.first(where: { if case .object(let m) = $0, case .string("null")? = m["type"] { false } else { true } })
      {
        return try schema(for: first, name: name)
      }
      let type: String = if case .string(let t)? = members["type"] { t } else { "object" }
      switch type {
      case "object":
        let required: Set<String> =
          if case .array(let names)? = members["required"] {
            Set(names.compactMap { if case .string(let s) = $0 { s } else { nil } })
          } else { [] }
        var properties: [DynamicGenerationSchema.Property] = []
        if case .object(let fields)? = members["properties"] {
          for key in fields.keys.sorted() {
            properties.append(
              DynamicGenerationSchema.Property(
                name: key, description: nil, schema: try schema(for: fields[key]!, name: "\(name)_\(key)"),
                isOptional: !required.contains(key)))
          }
        }
        return DynamicGenerationSchema(name: name, description: description, properties: properties)
      case "array":
        let items = members["items"] ?? .object(["type": .string("string")])
        let minimum: Int? = if case .int(let n)? = members["minItems"] { Int(n) } else { nil }
        let maximum: Int? = if case .int(let n)? = members["maxItems"] { Int(n) } else { nil }
        return DynamicGenerationSchema(arrayOf: try schema(for: items, name: "\(name)_item"), minimumElements: minimum, maximumElements: maximum)
      case "string":
        if case .array(let values)? = members["enum"] {
          let choices = values.compactMap { if case .string(let s) = $0 { s } else { nil } }
          return DynamicGenerationSchema(type: String.self, guides: [.anyOf(choices)])
        }
        return DynamicGenerationSchema(type: String.self)
      case "integer":
        return DynamicGenerationSchema(type: Int.self)
      case "number":
        return DynamicGenerationSchema(type: Double.self)
      case "boolean":
        return DynamicGenerationSchema(type: Bool.self)
      default:
        throw HostError(code: "EINVAL", message: "schema \(name) has unsupported type \(type)")
      }
    }
  }
#endif

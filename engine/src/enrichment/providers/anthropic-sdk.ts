// The Anthropic SDK behind plain functions: the engine bundle lists this
// module as a lazy dependency (Scripts/build.mjs), so the SDK is evaluated on
// the first provider created, not on the engine's cold start. Import the
// SDK's values only through here.
//
// The base client plus only the resources used: the full `Anthropic` class
// pulls every resource into the engine bundle (≈ 260 KB more).
import { BaseAnthropic, type ClientOptions } from "@anthropic-ai/sdk/client";
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk/core/error";
import { Batches } from "@anthropic-ai/sdk/resources/messages/batches";
import { Messages } from "@anthropic-ai/sdk/resources/messages/messages";
import type { SdkErrorClasses } from "./sdk-errors.ts";

export interface AnthropicClient {
  readonly messages: Messages & { readonly batches: Batches };
}

export function createAnthropicClient(options: ClientOptions): AnthropicClient {
  const base = new BaseAnthropic(options);
  return { messages: Object.assign(new Messages(base), { batches: new Batches(base) }) };
}

/** The SDK's error classes, as {@link mapSdkError} tells them apart. */
export function anthropicErrorClasses(): SdkErrorClasses {
  return { APIError, APIUserAbortError, APIConnectionError, APIConnectionTimeoutError };
}

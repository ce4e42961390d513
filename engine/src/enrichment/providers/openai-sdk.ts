// The `openai` SDK behind plain functions: the engine bundle lists this module
// as a lazy dependency (Scripts/build.mjs), so the SDK is evaluated on the
// first provider created, not on the engine's cold start. Import the SDK's
// values only through here; type imports elsewhere are free.
import OpenAI, { toFile } from "openai";
import type { SdkErrorClasses } from "./sdk-errors.ts";

export type OpenAiClientOptions = NonNullable<ConstructorParameters<typeof OpenAI>[0]>;

export function createOpenAiClient(options: OpenAiClientOptions): OpenAI {
  return new OpenAI(options);
}

/** The SDK's error classes, as {@link mapSdkError} tells them apart. */
export function openAiErrorClasses(): SdkErrorClasses {
  return { APIError: OpenAI.APIError, APIUserAbortError: OpenAI.APIUserAbortError, APIConnectionError: OpenAI.APIConnectionError, APIConnectionTimeoutError: OpenAI.APIConnectionTimeoutError };
}

/** The SDK's `toFile` (an upload from bytes). */
export function openAiFile(...args: Parameters<typeof toFile>): ReturnType<typeof toFile> {
  return toFile(...args);
}

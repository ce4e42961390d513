// The bridge contract between the Swift shell and the engine, as pure comparisons that
// return problems by name (so tests can feed them a broken side and see the name).
import { existsSync, statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readHostPort, readEnvelopeFields } from "./host-port.mjs";
import { listSwiftFiles, readSources, readInstalledHostPort, structProperties, codingKeys, enumRawValues } from "./swift-source.mjs";
import { scanDefinedMethods, methodsFromBundle, newestSourceMtime } from "./engine-methods.mjs";

/**
 * Every capability and function of the host port must be installed by the Swift host; every
 * name the Swift host installs must exist in the port (a misspelling is a missing function).
 * Optional functions (`diskSpace?`) may be absent; optional capabilities, when installed,
 * must be complete (the engine detects a capability, then calls all of it).
 */
export function compareHostPort(contract, installed, infoFields) {
  const problems = [];
  for (const cap of contract.capabilities) {
    if (cap.kind === "function") {
      if (!installed.functions.has(cap.name)) problems.push(`host function ${cap.name} is not installed by the Swift EngineHost`);
      continue;
    }
    if (cap.kind === "value") {
      if (!installed.values.has(cap.name)) problems.push(`host value ${cap.name} is not installed by the Swift EngineHost`);
      for (const field of cap.fields ?? []) {
        if (!field.optional && !(infoFields ?? []).includes(field.name)) problems.push(`${cap.name}.${field.name} is missing from the Swift HostInfo`);
      }
      for (const field of infoFields ?? []) {
        if (!(cap.fields ?? []).some((f) => f.name === field)) problems.push(`${cap.name}.${field} in the Swift HostInfo is not in host-port.ts`);
      }
      continue;
    }
    const got = installed.capabilities.get(cap.name);
    if (!got) {
      // An optional capability may be absent (the engine detects it); `absentOptional` lists it.
      if (!cap.optional) problems.push(`capability ${cap.name} is not installed by the Swift EngineHost`);
      continue;
    }
    for (const fn of cap.functions) {
      if (!fn.optional && !got.has(fn.name)) problems.push(`${cap.name}.${fn.name} is not installed by the Swift EngineHost`);
    }
    for (const name of got) {
      if (!cap.functions.some((f) => f.name === name)) problems.push(`${cap.name}.${name} is installed by the Swift EngineHost but is not in host-port.ts`);
    }
  }
  for (const name of installed.capabilities.keys()) {
    if (!contract.capabilities.some((c) => c.name === name)) problems.push(`capability ${name} is installed by the Swift EngineHost but is not in host-port.ts`);
  }
  for (const name of installed.functions) {
    if (!contract.capabilities.some((c) => c.name === name && c.kind === "function")) problems.push(`host function ${name} is installed by the Swift EngineHost but is not in host-port.ts`);
  }
  return problems;
}

/** Optional capabilities of the port that the Swift host does not install (a note, not a failure). */
export function absentOptional(contract, installed) {
  return contract.capabilities.filter((c) => c.optional && c.kind === "object" && !installed.capabilities.has(c.name)).map((c) => c.name);
}

/** Every method the Swift side sends must be in the engine's router. */
export function compareMethods(swiftMethods, engineMethods) {
  return swiftMethods.filter((m) => !engineMethods.has(m.value)).map((m) => `bridge method ${m.value} (BridgeMethod.${m.name}) is not in the engine's router`);
}

/** Envelope field sets must be equal both ways. */
export function compareEnvelope(tsFields, swiftFields) {
  const pairs = [
    ["InboundMessageSchema", ["BridgeMessage"]],
    ["ErrorDataSchema", ["BridgeErrorData"]],
    ["SuccessReplySchema+ErrorReplySchema", ["BridgeReply"]],
    ["EventMessageSchema", ["BridgeEvent"]],
  ];
  const problems = [];
  for (const [tsName, [swiftName]] of pairs) {
    const ts = new Set(tsName.split("+").flatMap((n) => tsFields[n] ?? []));
    const swift = new Set(swiftFields[swiftName] ?? []);
    if (ts.size === 0) problems.push(`envelope.ts has no ${tsName}`);
    if (swift.size === 0) problems.push(`StintCore has no fields for ${swiftName}`);
    for (const f of ts) if (!swift.has(f)) problems.push(`envelope field ${f} (${tsName}) is missing from StintCore's ${swiftName}`);
    for (const f of swift) if (!ts.has(f)) problems.push(`StintCore's ${swiftName}.${f} is not an envelope field of ${tsName}`);
  }
  return problems;
}

/** Reads both sides from the repository. */
export async function readRepository(root) {
  const stintDir = join(root, "MacApp/Sources/Stint");
  const coreDir = join(root, "MacApp/Sources/StintCore");
  const hostSources = readSources(listSwiftFiles(join(stintDir, "EngineHost")));
  const envelopeText = readFileSync(join(coreDir, "Bridge/BridgeEnvelope.swift"), "utf8");
  const methodText = readFileSync(join(coreDir, "Bridge/BridgeMethod.swift"), "utf8");
  const infoSource = hostSources.map((s) => s.text).join("\n");

  const srcDir = join(root, "engine/src");
  const scanned = scanDefinedMethods(srcDir);
  const bundlePath = join(root, "dist/engine.js");
  const stale = existsSync(bundlePath) && statSync(bundlePath).mtimeMs < newestSourceMtime(srcDir);
  const bundle = await methodsFromBundle(bundlePath);
  const engineMethods = new Set([...scanned, ...(bundle.ok ? bundle.methods : [])]);
  const notes = [];
  notes.push(`engine methods: ${scanned.size} from defineMethod in engine/src, ${bundle.ok ? `${bundle.methods.size} from dist/engine.js` : `bundle not used (${bundle.reason})`}${stale ? " — dist/engine.js is older than engine/src" : ""}`);

  return {
    contract: readHostPort(join(root, "engine/src/host/host-port.ts")),
    installed: readInstalledHostPort(hostSources),
    infoFields: structProperties(infoSource, "HostInfo") ?? [],
    swiftMethods: enumRawValues(methodText, "BridgeMethod") ?? [],
    engineMethods,
    tsFields: readEnvelopeFields(join(root, "engine/src/bridge/envelope.ts")),
    swiftFields: {
      BridgeMessage: structProperties(envelopeText, "BridgeMessage"),
      BridgeErrorData: structProperties(envelopeText, "BridgeErrorData"),
      BridgeReply: codingKeys(envelopeText, "extension BridgeReply"),
      BridgeEvent: structProperties(envelopeText, "BridgeEvent"),
    },
    notes,
  };
}

/** Synthetic microphone audio as 16-bit PCM WAV: tones, noise, quiet room tone, or digital silence (a fault). */

export type AudioContent = "tone" | "speechlike" | "room" | "digital-silence";

/** Cycled per segment: mostly voice-like sound with quiet stretches, never digital silence. */
const PATTERN: readonly AudioContent[] = ["speechlike", "tone", "room", "speechlike", "speechlike", "room"];

export function audioContentFor(index: number): AudioContent {
  return PATTERN[index % PATTERN.length]!;
}

/** Renders `durationMs` of `content`; returns samples and their peak (0–1). */
export function renderAudio(content: AudioContent, durationMs: number, sampleRate: number, seed: number): { samples: Int16Array; peak: number } {
  const count = Math.max(1, Math.round((durationMs * sampleRate) / 1000));
  const samples = new Int16Array(count);
  if (content === "digital-silence") return { samples, peak: 0 };
  let state = (seed * 2246822519) >>> 0 || 7;
  const noise = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 4294967296) * 2 - 1;
  };
  let peak = 0;
  for (let i = 0; i < count; i++) {
    const t = i / sampleRate;
    let value: number;
    if (content === "tone") value = 0.3 * Math.sin(2 * Math.PI * 440 * t);
    else if (content === "room") value = 0.002 * noise();
    else {
      // Syllable-like bursts: a voiced tone with a wandering pitch, gated at ~4 Hz, over room noise.
      const gate = Math.max(0, Math.sin(2 * Math.PI * 3.7 * t + seed));
      const pitch = 140 + 40 * Math.sin(2 * Math.PI * 0.5 * t + seed);
      value = 0.4 * gate * (Math.sin(2 * Math.PI * pitch * t) + 0.3 * Math.sin(2 * Math.PI * pitch * 2 * t)) + 0.003 * noise();
    }
    const sample = Math.max(-32768, Math.min(32767, Math.round(value * 32767)));
    samples[i] = sample;
    const magnitude = Math.abs(sample) / 32768;
    if (magnitude > peak) peak = magnitude;
  }
  return { samples, peak };
}

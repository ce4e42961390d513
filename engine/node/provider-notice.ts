/** The provider enrichment will use, from the keys in the environment, and a one-line notice saying how to change it. */
export function describeProvider(env: Readonly<Record<string, string | undefined>>): { provider: "anthropic" | "openai" | "local"; notice: string } {
  if (env.ANTHROPIC_API_KEY) {
    return { provider: "anthropic", notice: "Enrichment: anthropic (ANTHROPIC_API_KEY is set). Unset it, or pass --provider local to `stint enrich`, to keep everything on this machine." };
  }
  if (env.OPENAI_API_KEY) {
    return { provider: "openai", notice: "Enrichment: openai (OPENAI_API_KEY is set). Unset it, or pass --provider local to `stint enrich`, to keep everything on this machine." };
  }
  return { provider: "local", notice: "Enrichment: local provider (no network, no cost). Set ANTHROPIC_API_KEY or OPENAI_API_KEY to use a cloud provider." };
}

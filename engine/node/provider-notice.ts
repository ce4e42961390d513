type Provider = "anthropic" | "openai" | "local";

/**
 * The provider background enrichment uses (sessions that end are enriched with the
 * saved setting only, else locally; a key in the environment picks nothing), and a
 * one-line notice saying how to change it. Never prints a key.
 */
export function describeProvider(env: Readonly<Record<string, string | undefined>>, saved?: Provider): { provider: Provider; notice: string } {
  const keys = [env.ANTHROPIC_API_KEY ? "ANTHROPIC_API_KEY" : undefined, env.OPENAI_API_KEY ? "OPENAI_API_KEY" : undefined].filter((name) => name !== undefined);
  const provider = saved ?? "local";
  if (provider !== "local") {
    return { provider, notice: `Enrichment: sessions that end go to ${provider} (your saved setting). Change it in Settings, or pass --provider local to \`stint enrich\` to keep a session on this machine.` };
  }
  const cloud = keys.length > 0 ? `${keys.join(" and ")} ${keys.length > 1 ? "are" : "is"} set: \`stint enrich <id> --provider ${keys[0] === "ANTHROPIC_API_KEY" ? "anthropic" : "openai"}\` uses it for one session, or choose a provider in Settings.` : "Set ANTHROPIC_API_KEY or OPENAI_API_KEY and choose a provider in Settings to use a cloud provider.";
  return { provider, notice: `Enrichment: local provider for sessions that end (no network, no cost). ${cloud}` };
}

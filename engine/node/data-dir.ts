import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** `--data-dir`, else `$STINT_DATA_DIR`, else the platform's user data folder. */
export function resolveDataDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, platform: string = process.platform): string {
  if (flag !== undefined && flag !== "") return resolve(flag);
  if (env.STINT_DATA_DIR) return resolve(env.STINT_DATA_DIR);
  const home = env.HOME || homedir();
  if (platform === "darwin") return join(home, "Library", "Application Support", "Stint");
  if (platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "Stint");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "stint");
}

// Type-only: settings (and zod) load when a command runs, never for --help.
import type { resolveSettings, Settings } from "../config/settings.js";

/** Global flags shared by every command. */
export interface GlobalOptions {
  githubHost?: string;
  accountType?: string;
  githubToken?: string;
  githubAppId?: string;
  githubAppInstallationId?: string;
  githubAppRepositoryId?: string;
  githubAppPrivateKey?: string;
  clientId?: string;
  caFile?: string;
  verbose?: boolean;
}

/** What a command needs from the outside world, passed in so commands stay testable and free of globals. */
export interface CliContext {
  options: GlobalOptions;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  /** Settings resolved from flags and env (validated on first use). */
  settings(): Settings;
}

export function createCliContext(options: GlobalOptions, resolve: typeof resolveSettings): CliContext {
  let settings: Settings | undefined;
  return {
    options,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    settings: () => {
      settings ??= resolve({
        githubHost: options.githubHost,
        accountType: options.accountType,
        clientId: options.clientId,
        githubToken: options.githubToken,
        githubApp: {
          appId: options.githubAppId,
          installationId: options.githubAppInstallationId,
          repositoryId: options.githubAppRepositoryId,
          privateKey: options.githubAppPrivateKey,
        },
        caFile: options.caFile,
      });
      return settings;
    },
  };
}

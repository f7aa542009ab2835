import { UsageError } from "../errors.js";

/** How a team gateway admits and serves people (`serve --team` flags), validated once at start. */
export interface TeamOptions {
  /** Only members of these organisations get a key; empty admits anyone who can sign in. */
  allowOrgs: string[];
  /** GitHub logins that see and manage everybody on the page. */
  admins: string[];
  /** `seat`: each person's requests run on their own Copilot seat; `org`: on the organisation's GitHub App. */
  billing: "seat" | "org";
  /** Requests per minute per person; undefined for no limit. */
  userRpm: number | undefined;
  /** Requests in flight per person; undefined for no limit. */
  userConcurrency: number | undefined;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy: boolean;
  /** The URL people are told to use (behind a proxy, or a name other than the bind address). */
  publicUrl: string | undefined;
  /** How long a page sign-in stays valid. */
  pageSessionMs: number;
  /** `--metrics-token` (or COPILOT_GATEWAY_METRICS_TOKEN): a bearer a scraper may use for `/metrics`. */
  metricsToken: string | undefined;
}

export interface TeamOptionsInput {
  allowOrg?: string[] | undefined;
  admin?: string[] | undefined;
  billing?: string | undefined;
  userRpm?: string | undefined;
  userConcurrency?: string | undefined;
  trustProxy?: boolean | undefined;
  publicUrl?: string | undefined;
  metricsToken?: string | undefined;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

function names(values: readonly string[] | undefined, flag: string): string[] {
  const out: string[] = [];
  for (const value of values ?? []) {
    for (const part of value.split(",")) {
      const name = part.trim();
      if (!name) continue;
      if (!NAME.test(name)) {
        throw new UsageError(
          `"${name}" is not a GitHub ${flag === "--admin" ? "login" : "organisation"} (${flag}).`,
        );
      }
      if (!out.some((n) => n.toLowerCase() === name.toLowerCase())) out.push(name);
    }
  }
  return out;
}

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} takes a whole number of at least 1, not "${value}".`);
  return n;
}

export function resolveTeamOptions(
  input: TeamOptionsInput,
  env: NodeJS.ProcessEnv = process.env,
): TeamOptions {
  const billing = input.billing ?? "seat";
  if (billing !== "seat" && billing !== "org") {
    throw new UsageError(
      `--billing is "seat" (each person's own Copilot seat) or "org" (the GitHub App), not "${billing}".`,
    );
  }
  const publicUrl = (input.publicUrl ?? env.COPILOT_GATEWAY_PUBLIC_URL)?.trim().replace(/\/+$/, "");
  if (publicUrl !== undefined && publicUrl !== "" && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(publicUrl)) {
    throw new UsageError(
      `--public-url must be an http(s) URL such as https://copilot.example.com, not "${publicUrl}".`,
    );
  }
  const metricsToken = (input.metricsToken ?? env.COPILOT_GATEWAY_METRICS_TOKEN)?.trim() || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new UsageError(
      "--metrics-token must be at least 16 characters (e.g. `openssl rand -hex 24`): it guards the per-person metrics.",
    );
  }
  return {
    allowOrgs: names(input.allowOrg, "--allow-org"),
    admins: names(input.admin, "--admin"),
    billing,
    userRpm: positive(input.userRpm, "--user-rpm"),
    userConcurrency: positive(input.userConcurrency, "--user-concurrency"),
    trustProxy: input.trustProxy === true,
    publicUrl: publicUrl || undefined,
    pageSessionMs: 12 * 60 * 60_000,
    metricsToken,
  };
}

/**
 * The server options of a team gateway: personal keys instead of a shared one, the proxy's client address when
 * trusted, and the public URL's host answered besides loopback names.
 */
export function teamServerOptions<T extends object>(
  base: T,
  team: TeamOptions,
): T & { teamMode: true; trustProxy: boolean; allowedHosts: string[]; metricsToken: string | undefined } {
  return {
    ...base,
    teamMode: true,
    trustProxy: team.trustProxy,
    allowedHosts: team.publicUrl ? [new URL(team.publicUrl).hostname] : [],
    metricsToken: team.metricsToken,
  };
}

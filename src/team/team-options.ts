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
}

export interface TeamOptionsInput {
  allowOrg?: string[] | undefined;
  admin?: string[] | undefined;
  billing?: string | undefined;
  userRpm?: string | undefined;
  userConcurrency?: string | undefined;
  trustProxy?: boolean | undefined;
  publicUrl?: string | undefined;
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
  return {
    allowOrgs: names(input.allowOrg, "--allow-org"),
    admins: names(input.admin, "--admin"),
    billing,
    userRpm: positive(input.userRpm, "--user-rpm"),
    userConcurrency: positive(input.userConcurrency, "--user-concurrency"),
    trustProxy: input.trustProxy === true,
    publicUrl: publicUrl || undefined,
    pageSessionMs: 12 * 60 * 60_000,
  };
}

import { z } from "zod";
import { EXIT_CODES, GatewayError } from "../errors.js";
import { safeParseJson } from "../util/parse-json.js";
import { type GitHubApiRequest, getFromGitHubApi } from "./github-api.js";

const orgsSchema = z.array(z.object({ login: z.string().min(1) }).passthrough());
const seatSchema = z.object({ organization_login_list: z.array(z.string()).nullish() }).passthrough();

/** How many pages of /user/orgs are read (100 organisations each) before giving up on the rest. */
const MAX_PAGES = 10;

/**
 * The organisations a person belongs to. `GET {api}/user/orgs` lists them all when the token has `read:org` (the
 * team gateway asks for it); without that scope, or when it fails, the Copilot seat's `organization_login_list`
 * (`GET {api}/copilot_internal/user`, spec §5) names the organisations that grant the seat.
 */
export async function fetchGitHubOrgs(options: GitHubApiRequest): Promise<string[]> {
  const orgs: string[] = [];
  let listed = true;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { response, text } = await getFromGitHubApi(options, `/user/orgs?per_page=100&page=${page}`);
    const parsed = response.statusCode === 200 ? safeParseJson(orgsSchema, text) : undefined;
    if (!parsed?.success) {
      listed = false;
      break;
    }
    orgs.push(...parsed.data.map((o) => o.login));
    if (parsed.data.length < 100) break;
  }
  if (listed && orgs.length > 0) return orgs;
  const { response, text } = await getFromGitHubApi(options, "/copilot_internal/user");
  if (response.statusCode === 200) {
    const seat = safeParseJson(seatSchema, text);
    if (seat.success) return [...new Set([...orgs, ...(seat.data.organization_login_list ?? [])])];
  }
  if (listed) return orgs;
  throw new GatewayError(
    "orgs_lookup_failed",
    `${options.endpoints.apiUrl} did not say which organisations this account belongs to (HTTP ${response.statusCode}); retry in a moment.`,
    { exitCode: EXIT_CODES.upstream, status: 502 },
  );
}

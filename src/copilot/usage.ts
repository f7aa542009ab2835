import { z } from "zod";
import { type GitHubApiRequest, getFromGitHubApi } from "../auth/github-api.js";
import { overrideHint } from "../auth/github-token.js";
import { EXIT_CODES, GatewayError } from "../errors.js";
import { safeParseJson } from "../util/parse-json.js";

const num = z.number().optional().catch(undefined);

const quotaSnapshotSchema = z.object({
  entitlement: num,
  remaining: num,
  quota_remaining: num,
  percent_remaining: num,
  unlimited: z.boolean().optional().catch(undefined),
  overage_count: num,
  overage_permitted: z.boolean().optional().catch(undefined),
  quota_id: z.string().optional().catch(undefined),
  timestamp_utc: z.string().optional().catch(undefined),
});

/** One quota of `copilot_internal/user` (premium requests, chat, completions). */
export type QuotaSnapshot = z.infer<typeof quotaSnapshotSchema>;

/** `copilot_internal/user` (spec §5), parsed leniently: unknown fields are dropped, odd ones become undefined. */
export const copilotUsageSchema = z.object({
  login: z.string().optional().catch(undefined),
  copilot_plan: z.string().optional().catch(undefined),
  access_type_sku: z.string().optional().catch(undefined),
  chat_enabled: z.boolean().optional().catch(undefined),
  assigned_date: z.string().nullable().optional().catch(undefined),
  organization_login_list: z.array(z.string()).optional().catch(undefined),
  quota_reset_date: z.string().optional().catch(undefined),
  quota_reset_date_utc: z.string().optional().catch(undefined),
  quota_snapshots: z.record(z.string(), quotaSnapshotSchema).optional().catch(undefined),
  /** Copilot Free reports its allowances here instead of in quota_snapshots. */
  limited_user_quotas: z.record(z.string(), z.number()).nullable().optional().catch(undefined),
  monthly_quotas: z.record(z.string(), z.number()).nullable().optional().catch(undefined),
  limited_user_reset_date: z.string().nullable().optional().catch(undefined),
});

/** The account's plan, quotas and reset date, as `copilot_internal/user` reports them. */
export type CopilotUsage = z.infer<typeof copilotUsageSchema>;

export type UsageRequest = GitHubApiRequest;

/** `GET {api}/copilot_internal/user` with the GitHub token: plan, quota snapshots and reset date. */
export async function fetchCopilotUsage(req: UsageRequest): Promise<CopilotUsage> {
  const { response, text } = await getFromGitHubApi(req, "/copilot_internal/user");
  const status = response.statusCode;
  if (status === 401)
    throw new GatewayError(
      "bad_credentials",
      // Worded as the /user and exchange checks word it, including how to let the stored login win.
      `the token from ${req.githubToken.label} was rejected by ${req.endpoints.host} (bad credentials: revoked, expired or mistyped); run \`copilot-gateway login\` to sign in again${overrideHint(req.githubToken)}.`,
      { exitCode: EXIT_CODES.tokenRejected, status: 401 },
    );
  if (status === 403 || status === 404) {
    const reason = safeParseJson(z.object({ message: z.string() }), text);
    throw new GatewayError(
      "usage_refused",
      `${req.endpoints.host} refused the Copilot usage report for the token from ${req.githubToken.label} (HTTP ${status}${reason.success ? `: ${reason.data.message}` : ""}); run \`copilot-gateway status\` to see why.`,
      { exitCode: EXIT_CODES.noCopilotAccess, status: 403 },
    );
  }
  if (status !== 200)
    throw new GatewayError(
      "usage_unavailable",
      `${req.endpoints.host} answered HTTP ${status} for the Copilot usage report; retry later.`,
      {
        exitCode: EXIT_CODES.upstream,
        status: 502,
      },
    );
  const parsed = safeParseJson(copilotUsageSchema, text);
  if (!parsed.success)
    throw new GatewayError(
      "usage_invalid_response",
      `${req.endpoints.host} sent an unexpected Copilot usage report; check COPILOT_GATEWAY_GITHUB_API_URL or your proxy.`,
      { exitCode: EXIT_CODES.upstream, status: 502 },
    );
  return parsed.data;
}

/** The reset date of the quotas (date only), whichever field the account reports it in. */
export function quotaResetDate(usage: CopilotUsage): string | undefined {
  return (
    usage.quota_reset_date ??
    usage.quota_reset_date_utc?.slice(0, 10) ??
    usage.limited_user_reset_date ??
    undefined
  );
}

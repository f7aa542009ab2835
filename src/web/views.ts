import type { TokenState } from "../copilot/token-manager.js";
import { planName, premiumLabel, quotaFacts, quotaLeft } from "../copilot/wording.js";
import type { CredentialInfo } from "../credentials/copilot-credential.js";
import { describeError } from "../errors.js";
import type { AccountView, CopilotTokenView, ModelView, QuotaView, UsageView } from "./page-types.js";

/** The page's account card: the credential's mode and billing, never a token. */
export function accountView(info: CredentialInfo): AccountView {
  return {
    tokenSource: info.source,
    mode: info.mode,
    modeDescription: info.description,
    billedTo: info.billedTo,
    billing: info.billing,
  };
}

/** The parts of a `/models` entry the page shows (spec §4); everything optional, as the catalogue is loose. */
export interface CatalogueModelLike {
  id: string;
  name?: string | undefined;
  vendor?: string | undefined;
  preview?: boolean | undefined;
  is_chat_default?: boolean | undefined;
  billing?: { is_premium?: boolean | undefined; multiplier?: number | undefined } | undefined;
  policy?: { state?: string | undefined; terms?: string | undefined } | undefined;
  supported_endpoints?: string[] | undefined;
  capabilities?:
    | {
        type?: string | undefined;
        limits?:
          | { max_context_window_tokens?: number | undefined; max_output_tokens?: number | undefined }
          | undefined;
        supports?: Record<string, unknown> | undefined;
      }
    | undefined;
}

const CAPABILITY_TAGS: [key: string, tag: string][] = [
  ["streaming", "streaming"],
  ["tool_calls", "tools"],
  ["parallel_tool_calls", "parallel tools"],
  ["vision", "vision"],
  ["structured_outputs", "structured outputs"],
  ["thinking", "thinking"],
  ["dimensions", "dimensions"],
];

function capabilityTags(supports: Record<string, unknown> | undefined): string[] {
  if (!supports) return [];
  const tags = CAPABILITY_TAGS.filter(([key]) => supports[key] === true).map(([, tag]) => tag);
  const effort = supports.reasoning_effort;
  if (Array.isArray(effort) && effort.length > 0) tags.push(`reasoning: ${effort.join("/")}`);
  return tags;
}

export function toModelView(model: CatalogueModelLike): ModelView {
  const caps = model.capabilities;
  return {
    id: model.id,
    name: model.name ?? null,
    vendor: model.vendor ?? null,
    type: caps?.type ?? null,
    preview: model.preview === true,
    isDefault: model.is_chat_default === true,
    endpoints: model.supported_endpoints ?? null,
    capabilities: capabilityTags(caps?.supports),
    contextWindow: caps?.limits?.max_context_window_tokens ?? null,
    maxOutputTokens: caps?.limits?.max_output_tokens ?? null,
    premium: model.billing?.is_premium === true,
    multiplier: model.billing?.multiplier ?? null,
    premiumLabel: premiumLabel(model.billing),
    policy: model.policy?.state ?? null,
    terms: model.policy?.terms ?? null,
  };
}

/** One quota of `copilot_internal/user` (spec §5). */
export interface QuotaSnapshotLike {
  entitlement?: number | undefined;
  remaining?: number | undefined;
  quota_remaining?: number | undefined;
  percent_remaining?: number | undefined;
  unlimited?: boolean | undefined;
  overage_count?: number | undefined;
  overage_permitted?: boolean | undefined;
}

export interface CopilotUserLike {
  login?: string | undefined;
  copilot_plan?: string | undefined;
  access_type_sku?: string | undefined;
  quota_reset_date?: string | undefined;
  quota_snapshots?:
    | {
        premium_interactions?: QuotaSnapshotLike | undefined;
        chat?: QuotaSnapshotLike | undefined;
        completions?: QuotaSnapshotLike | undefined;
      }
    | undefined;
  monthly_quotas?: Record<string, number> | null | undefined;
  limited_user_quotas?: Record<string, number> | null | undefined;
}

function toQuotaView(
  user: CopilotUserLike,
  key: "premium_interactions" | "chat" | "completions",
): QuotaView | null {
  const facts = quotaFacts(user, key);
  if (!facts) return null;
  const q = user.quota_snapshots?.[key];
  return {
    entitlement: facts.entitlement,
    remaining: facts.remaining,
    percentRemaining:
      q?.percent_remaining ?? (facts.entitlement > 0 ? (facts.remaining / facts.entitlement) * 100 : null),
    unlimited: facts.unlimited,
    overageCount: q?.overage_count ?? null,
    overagePermitted: q?.overage_permitted ?? null,
    text: quotaLeft(facts),
  };
}

export function toUsageView(user: CopilotUserLike): UsageView {
  return {
    login: user.login ?? null,
    plan: user.copilot_plan ?? null,
    sku: user.access_type_sku ?? null,
    planName: planName({ plan: user.copilot_plan, sku: user.access_type_sku }),
    resetDate: user.quota_reset_date ?? null,
    quotas: {
      premium: toQuotaView(user, "premium_interactions"),
      chat: toQuotaView(user, "chat"),
      completions: toQuotaView(user, "completions"),
    },
  };
}

/** The token manager's state without the token: only timings and where it points. */
export function toCopilotTokenView(state: TokenState): CopilotTokenView {
  return {
    ready: state.ready,
    refreshInMs: state.refreshInMs ?? null,
    expiresAt: state.expiresAt ?? null,
    apiUrl: state.apiUrl ?? null,
    sku: state.sku ?? null,
    problem: state.lastError === undefined ? null : describeError(state.lastError),
  };
}

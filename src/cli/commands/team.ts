import { UsageError } from "../../errors.js";
import { openSqliteStore, teamStorePath } from "../../store/open-store.js";
import { utcDay } from "../../store/records.js";
import type { Store } from "../../store/store.js";
import { rotateSecretKeyFile } from "../../team/secret-keys.js";
import { disableUser, revokeKey } from "../../team/team-gateway.js";
import type { CliContext } from "../context.js";
import { jsonOutput } from "../output/format.js";
import { createStyle } from "../output/style.js";
import { renderTable } from "../output/table.js";

/** The operator's own actions are recorded under this actor in the audit log. */
const CLI_ACTOR = "cli";

async function withStore<T>(ctx: CliContext, fn: (store: Store) => Promise<T>): Promise<T> {
  // A gateway on Redis (REDIS_URL, COPILOT_GATEWAY_REDIS_PREFIX): the same data its replicas share, and a
  // revocation made here reaches every running replica at once.
  const redisUrl = ctx.env.REDIS_URL?.trim();
  if (redisUrl) {
    const { openRedisStore } = await import("../../store/redis/open-redis-team.js");
    const opened = await openRedisStore(redisUrl, ctx.env.COPILOT_GATEWAY_REDIS_PREFIX);
    try {
      return await fn(opened.store);
    } finally {
      await opened.close();
    }
  }
  const store = await openSqliteStore(teamStorePath(ctx.settings().homeDir));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function when(ms: number | undefined): string {
  return ms === undefined ? "-" : new Date(ms).toISOString().replace("T", " ").slice(0, 16);
}

/** `copilot-gateway team users`. */
export async function teamUsers(ctx: CliContext, opts: { json?: boolean } = {}): Promise<void> {
  await withStore(ctx, async (store) => {
    const [users, keys] = await Promise.all([store.listUsers(), store.listApiKeys()]);
    if (opts.json) return void ctx.stdout.write(jsonOutput({ users }));
    if (users.length === 0) return void ctx.stdout.write("Nobody has signed in to this team gateway yet.\n");
    const rows = users.map((u) => [
      u.login,
      u.orgs.join(",") || "-",
      when(u.createdAt),
      when(u.lastUsedAt),
      String(
        keys.filter((k) => k.login.toLowerCase() === u.login.toLowerCase() && k.revokedAt === undefined)
          .length,
      ),
      u.disabledAt === undefined ? "" : `revoked ${when(u.disabledAt)} by ${u.disabledBy ?? "?"}`,
    ]);
    ctx.stdout.write(
      `${renderTable(["LOGIN", "ORGS", "CREATED", "LAST USED", "KEYS", "STATUS"], rows, createStyle(ctx.stdout, ctx.env))}\n`,
    );
  });
}

/** `copilot-gateway team keys [login]`: never the keys, only their ids, names and last 4 characters. */
export async function teamKeys(
  ctx: CliContext,
  login: string | undefined,
  opts: { json?: boolean } = {},
): Promise<void> {
  await withStore(ctx, async (store) => {
    const keys = (await store.listApiKeys(login)).map(({ hash: _hash, ...k }) => k);
    if (opts.json) return void ctx.stdout.write(jsonOutput({ keys }));
    if (keys.length === 0) return void ctx.stdout.write(login ? `${login} has no keys.\n` : "No keys yet.\n");
    const rows = keys.map((k) => [
      k.id,
      k.login,
      k.name,
      `cgw_…${k.hint}`,
      when(k.createdAt),
      when(k.lastUsedAt),
      k.revokedAt === undefined ? "" : `revoked ${when(k.revokedAt)} by ${k.revokedBy ?? "?"}`,
    ]);
    ctx.stdout.write(
      `${renderTable(["ID", "LOGIN", "NAME", "KEY", "CREATED", "LAST USED", "STATUS"], rows, createStyle(ctx.stdout, ctx.env))}\n`,
    );
  });
}

/** `copilot-gateway team revoke key_…|LOGIN`: a key, or a person with every key and their stored token. */
export async function teamRevoke(ctx: CliContext, target: string): Promise<void> {
  await withStore(ctx, async (store) => {
    const now = Date.now();
    if (target.startsWith("key_")) {
      const key = (await store.listApiKeys()).find((k) => k.id === target);
      if (!key)
        throw new UsageError(`No key ${target}; \`copilot-gateway team keys\` lists them.`, "key_not_found");
      if (key.revokedAt !== undefined) {
        return void ctx.stdout.write(`Key ${target} (${key.login}, ${key.name}) was already revoked.\n`);
      }
      await revokeKey(store, CLI_ACTOR, key, now);
      return void ctx.stdout.write(
        `Revoked key ${target} (${key.login}, ${key.name}); requests with it now get 401.\n`,
      );
    }
    const revoked = await disableUser(store, CLI_ACTOR, target, now);
    if (revoked === undefined) {
      throw new UsageError(
        `No person ${target} has signed in; \`copilot-gateway team users\` lists them.`,
        "user_not_found",
      );
    }
    ctx.stdout.write(
      `Revoked ${target}: ${revoked.length} key${revoked.length === 1 ? "" : "s"} revoked, stored GitHub token deleted; they cannot sign in again until \`copilot-gateway team enable ${target}\`.\n`,
    );
  });
}

/** `copilot-gateway team enable LOGIN`. */
export async function teamEnable(ctx: CliContext, login: string): Promise<void> {
  await withStore(ctx, async (store) => {
    const ok = await store.enableUser(login, {
      at: Date.now(),
      actor: CLI_ACTOR,
      action: "user_enabled",
      subject: login,
    });
    if (!ok)
      throw new UsageError(
        `No person ${login} has signed in; \`copilot-gateway team users\` lists them.`,
        "user_not_found",
      );
    ctx.stdout.write(`${login} may sign in again (their old keys stay revoked).\n`);
  });
}

/** `copilot-gateway team usage [--login L] [--days N] [--json]`: the per-person counters the gateway keeps. */
export async function teamUsage(
  ctx: CliContext,
  opts: { login?: string; days?: string; json?: boolean } = {},
): Promise<void> {
  const days = opts.days === undefined ? 30 : Number(opts.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    throw new UsageError(`--days takes a whole number from 1 to 366, not "${opts.days}".`);
  }
  const now = Date.now();
  const fromDay = utcDay(now - (days - 1) * 86_400_000);
  const toDay = utcDay(now);
  await withStore(ctx, async (store) => {
    const rows = await store.usage({ login: opts.login, fromDay, toDay });
    const total = { requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
    for (const r of rows) {
      total.requests += r.requests;
      total.inputTokens += r.inputTokens;
      total.outputTokens += r.outputTokens;
      total.cachedTokens += r.cachedTokens;
    }
    if (opts.json)
      return void ctx.stdout.write(
        jsonOutput({ fromDay, toDay, ...(opts.login && { login: opts.login }), rows, total }),
      );
    const who = opts.login ? `${opts.login} has` : "Nobody has";
    if (rows.length === 0)
      return void ctx.stdout.write(`${who} used this gateway from ${fromDay} to ${toDay} (UTC).\n`);
    const table = rows.map((r) => [
      r.day,
      r.login,
      r.model,
      String(r.requests),
      String(r.inputTokens),
      String(r.outputTokens),
      String(r.cachedTokens),
    ]);
    table.push([
      "total",
      "",
      "",
      String(total.requests),
      String(total.inputTokens),
      String(total.outputTokens),
      String(total.cachedTokens),
    ]);
    ctx.stdout.write(
      `${renderTable(["DAY (UTC)", "LOGIN", "MODEL", "REQUESTS", "INPUT", "OUTPUT", "CACHED"], table, createStyle(ctx.stdout, ctx.env))}\n`,
    );
  });
}

/** `copilot-gateway team audit`. */
export async function teamAudit(
  ctx: CliContext,
  opts: { limit?: string; json?: boolean } = {},
): Promise<void> {
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError(`--limit takes a whole number from 1 to 1000, not "${opts.limit}".`);
  }
  await withStore(ctx, async (store) => {
    const entries = await store.listAudit({ limit });
    if (opts.json) return void ctx.stdout.write(jsonOutput({ entries }));
    if (entries.length === 0) return void ctx.stdout.write("The audit log is empty.\n");
    const rows = entries.map((e) => [
      when(e.at),
      e.actor,
      e.action,
      e.subject ?? "",
      e.detail ?? "",
      e.address ?? "",
    ]);
    ctx.stdout.write(
      `${renderTable(["TIME (UTC)", "ACTOR", "ACTION", "SUBJECT", "DETAIL", "ADDRESS"], rows, createStyle(ctx.stdout, ctx.env))}\n`,
    );
  });
}

/** `copilot-gateway team rotate-secret`: for the key file (with COPILOT_GATEWAY_SECRET, rotate the variable). */
export async function teamRotateSecret(ctx: CliContext): Promise<void> {
  if (ctx.env.COPILOT_GATEWAY_SECRET) {
    throw new UsageError(
      "COPILOT_GATEWAY_SECRET is set, so the key file is not used: put the new secret in COPILOT_GATEWAY_SECRET and the old one in COPILOT_GATEWAY_SECRET_PREVIOUS, then restart.",
    );
  }
  const rotated = rotateSecretKeyFile(ctx.settings().homeDir);
  ctx.stdout.write(
    `New key ${rotated.keyId} in ${rotated.path} (${rotated.kept} older key${rotated.kept === 1 ? "" : "s"} kept to open what they sealed); restart the gateway to use it. Tokens are sealed again under the new key as people use them.\n`,
  );
}

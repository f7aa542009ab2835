import { resolveSettings } from "../../src/config/settings.js";
import { type CopilotClientOptions, createCopilotClient } from "../../src/copilot/client.js";
import { createCopilotSession } from "../../src/copilot/session.js";
import type { FakeUpstream } from "../fake-upstream/server.js";

/** A client wired to the fake, recording the waits the transport asks for instead of sleeping them. */
export function fakeClient(
  fake: FakeUpstream,
  options: CopilotClientOptions & { idleMs?: number; env?: Record<string, string> } = {},
) {
  const settings = resolveSettings({}, { ...fake.env(), ...options.env });
  const session = createCopilotSession({
    settings,
    githubToken: {
      value: "gho_test0000000000000000000000000000000000",
      origin: "flag",
      label: "--github-token",
    },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...(options.idleMs !== undefined && { timeouts: { idleMs: options.idleMs } }),
  });
  const waits: number[] = [];
  session.sleep = async (ms: number) => {
    waits.push(ms);
  };
  return { client: createCopilotClient(session, options), session, waits };
}

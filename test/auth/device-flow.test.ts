import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DeviceFlowError } from "../../src/auth/device-flow/device-flow-error.js";
import { DEVICE_GRANT_TYPE, pollDeviceFlow } from "../../src/auth/device-flow/poll-device-flow.js";
import { startDeviceFlow } from "../../src/auth/device-flow/start-device-flow.js";
import { AbortedError, ConnectionError, EXIT_CODES } from "../../src/errors.js";
import { createDispatcher } from "../../src/http/dispatcher.js";
import { FakeUpstream } from "../fake-upstream/server.js";
import type { DevicePollOutcome } from "../fake-upstream/state.js";
import { closedPortUrl } from "./closed-port.js";

const fake = new FakeUpstream();
const dispatcher = createDispatcher({ env: {} });
beforeAll(() => fake.start());
afterAll(async () => {
  await fake.stop();
  await dispatcher.close();
});
beforeEach(() => fake.reset());

const CLIENT_ID = "01ab8ac9400c4e429b23";

/** A virtual clock: the injected sleep records each wait and advances time by it, so nothing really waits. */
function virtualTime() {
  const sleeps: number[] = [];
  let clock = 1_000_000;
  return {
    sleeps,
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
  };
}

async function signIn(time = virtualTime(), signal?: AbortSignal) {
  const code = await startDeviceFlow({ webUrl: fake.url, clientId: CLIENT_ID, dispatcher, now: time.now });
  return await pollDeviceFlow({
    webUrl: fake.url,
    clientId: CLIENT_ID,
    code,
    dispatcher,
    sleep: time.sleep,
    now: time.now,
    signal,
  });
}

describe("startDeviceFlow", () => {
  it("asks for a code with the client id and read:user scope and returns what the user needs", async () => {
    fake.state.deviceFlow.interval = 5;
    const code = await startDeviceFlow({ webUrl: fake.url, clientId: CLIENT_ID, dispatcher, now: () => 42 });
    expect(code).toEqual({
      deviceCode: "3584d83530557fdd1f46af8289938c8ef79f9dc5",
      userCode: "WDJB-MJHT",
      verificationUri: `${fake.url}/login/device`,
      expiresIn: 900,
      interval: 5,
      receivedAt: 42,
    });
    const seen = fake.requestsTo("/login/device/code")[0];
    expect(seen?.headers.accept).toBe("application/json");
    expect(seen?.body).toEqual({ client_id: CLIENT_ID, scope: "read:user" });
  });

  it("reads a form-encoded answer (GitHub's default without Accept: application/json)", async () => {
    fake.state.deviceFlow.forceFormEncoded = true;
    fake.state.deviceFlow.interval = 7;
    const code = await startDeviceFlow({ webUrl: fake.url, clientId: CLIENT_ID, dispatcher });
    expect(code.userCode).toBe("WDJB-MJHT");
    expect(code.interval).toBe(7);
    expect(code.expiresIn).toBe(900);
  });

  it.each([
    [
      "device_flow_disabled",
      EXIT_CODES.deviceFlowDisabled,
      /disabled for the OAuth client id "01ab8ac9400c4e429b23"/,
    ],
    ["incorrect_client_credentials", EXIT_CODES.deviceFlowClientInvalid, /does not know the OAuth client id/],
  ] as const)("turns %s at step 1 into a DeviceFlowError", async (error, exitCode, message) => {
    fake.state.deviceFlow.codeError = error;
    const failure = await startDeviceFlow({ webUrl: fake.url, clientId: CLIENT_ID, dispatcher }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(DeviceFlowError);
    expect(failure).toMatchObject({ code: error, exitCode });
    expect((failure as Error).message).toMatch(message);
  });

  it("names the host when it cannot be reached", async () => {
    const url = await closedPortUrl();
    const failure = await startDeviceFlow({ webUrl: url, clientId: CLIENT_ID, dispatcher }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as Error).message).toContain(new URL(url).host);
    expect((failure as Error).message).toMatch(/HTTPS_PROXY/);
  });
});

describe("pollDeviceFlow", () => {
  it("keeps polling at the interval through authorization_pending, then returns the token", async () => {
    fake.state.deviceFlow.interval = 5;
    fake.state.deviceFlow.script = ["authorization_pending", "authorization_pending"];
    const time = virtualTime();
    const token = await signIn(time);
    expect(token).toEqual({
      accessToken: "gho_fake0000000000000000000000000000000001",
      tokenType: "bearer",
      scope: "",
      expiresIn: undefined,
      refreshToken: undefined,
      refreshTokenExpiresIn: undefined,
    });
    expect(time.sleeps).toEqual([5000, 5000, 5000]);
    const polls = fake.requestsTo("/login/oauth/access_token");
    expect(polls).toHaveLength(3);
    expect(polls[0]?.body).toEqual({
      client_id: CLIENT_ID,
      device_code: "3584d83530557fdd1f46af8289938c8ef79f9dc5",
      grant_type: DEVICE_GRANT_TYPE,
    });
  });

  it("adds 5 s on slow_down and keeps the slower interval afterwards", async () => {
    fake.state.deviceFlow.interval = 5;
    fake.state.deviceFlow.script = ["slow_down", "authorization_pending", "slow_down"];
    const time = virtualTime();
    await signIn(time);
    expect(time.sleeps).toEqual([5000, 10_000, 10_000, 15_000]);
  });

  it("takes the interval a slow_down answer carries", async () => {
    fake.state.deviceFlow.interval = 5;
    fake.state.deviceFlow.slowDownInterval = 17;
    fake.state.deviceFlow.script = ["slow_down"];
    const time = virtualTime();
    await signIn(time);
    expect(time.sleeps).toEqual([5000, 17_000]);
  });

  it("handles form-encoded poll answers, pending, slow_down and success alike", async () => {
    fake.state.deviceFlow.forceFormEncoded = true;
    fake.state.deviceFlow.interval = 5;
    fake.state.deviceFlow.slowDownInterval = 9;
    fake.state.deviceFlow.script = ["authorization_pending", "slow_down"];
    const time = virtualTime();
    const token = await signIn(time);
    expect(token.accessToken).toBe("gho_fake0000000000000000000000000000000001");
    expect(time.sleeps).toEqual([5000, 5000, 9000]);
  });

  it("returns the expiry and refresh token that GitHub App user tokens carry", async () => {
    fake.state.deviceFlow.grantExtras = {
      expires_in: 28800,
      refresh_token: "ghr_x",
      refresh_token_expires_in: 1,
    };
    const token = await signIn();
    expect(token).toMatchObject({ expiresIn: 28800, refreshToken: "ghr_x", refreshTokenExpiresIn: 1 });
  });

  const terminal: [DevicePollOutcome, number, RegExp][] = [
    [
      "expired_token",
      EXIT_CODES.deviceFlowExpired,
      /expired before it was entered; run `copilot-gateway login` again/,
    ],
    ["access_denied", EXIT_CODES.deviceFlowDenied, /cancelled in the browser \(access denied\)/],
    ["incorrect_client_credentials", EXIT_CODES.deviceFlowClientInvalid, /"01ab8ac9400c4e429b23"/],
    ["device_flow_disabled", EXIT_CODES.deviceFlowDisabled, /device flow is disabled/],
    ["unsupported_grant_type", EXIT_CODES.deviceFlowBadGrant, /rejected the device-flow grant type/],
    ["incorrect_device_code", EXIT_CODES.deviceFlowBadDeviceCode, /does not recognise the device code/],
  ];
  it.each(terminal)("stops at %s with its own code and exit code", async (outcome, exitCode, message) => {
    fake.state.deviceFlow.script = ["authorization_pending", outcome];
    const failure = await signIn().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeviceFlowError);
    expect(failure).toMatchObject({ code: outcome, exitCode });
    expect((failure as Error).message).toMatch(message);
    expect(fake.requestsTo("/login/oauth/access_token")).toHaveLength(2);
  });

  it("rides out a few 5xx answers and dropped connections while polling", async () => {
    fake.state.deviceFlow.interval = 5;
    fake.state.deviceFlow.script = [
      "server_error",
      "connection_reset",
      "server_error",
      "authorization_pending",
    ];
    const time = virtualTime();
    const token = await signIn(time);
    expect(token.accessToken).toBe("gho_fake0000000000000000000000000000000001");
    expect(time.sleeps).toEqual([5000, 5000, 5000, 5000, 5000]);
  });

  it("gives up after more than three failures in a row, with one clear line", async () => {
    fake.state.deviceFlow.script = ["server_error", "server_error", "server_error", "server_error"];
    const failure = await signIn().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeviceFlowError);
    expect(failure).toMatchObject({ code: "device_flow_failed", exitCode: EXIT_CODES.upstream });
    expect((failure as Error).message).toBe(
      `${fake.url}/login/oauth/access_token kept failing (HTTP 502); run \`copilot-gateway login\` again later.`,
    );
    expect(fake.requestsTo("/login/oauth/access_token")).toHaveLength(4);
  });

  it("stops at the expires_in deadline without polling past it", async () => {
    fake.state.deviceFlow.interval = 5;
    fake.state.deviceFlow.expiresIn = 12;
    fake.state.deviceFlow.approved = false;
    const time = virtualTime();
    const failure = await signIn(time).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "expired_token", exitCode: EXIT_CODES.deviceFlowExpired });
    expect(time.sleeps).toEqual([5000, 5000, 2000]);
    expect(fake.requestsTo("/login/oauth/access_token")).toHaveLength(2);
  });

  it("stops at once when the signal aborts while waiting", async () => {
    fake.state.deviceFlow.approved = false;
    const controller = new AbortController();
    const time = virtualTime();
    const sleep = async (ms: number) => {
      await time.sleep(ms);
      if (time.sleeps.length === 2) controller.abort();
    };
    const failure = await signIn({ ...time, sleep }, controller.signal).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AbortedError);
    expect(failure).toMatchObject({ exitCode: EXIT_CODES.interrupted });
    expect(fake.requestsTo("/login/oauth/access_token")).toHaveLength(1);
  });

  it("wakes from the real default sleep when aborted", async () => {
    fake.state.deviceFlow.interval = 3600;
    const code = await startDeviceFlow({ webUrl: fake.url, clientId: CLIENT_ID, dispatcher });
    const controller = new AbortController();
    const polling = pollDeviceFlow({
      webUrl: fake.url,
      clientId: CLIENT_ID,
      code,
      dispatcher,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(polling).rejects.toBeInstanceOf(AbortedError);
    expect(fake.requestsTo("/login/oauth/access_token")).toHaveLength(0);
  });
});

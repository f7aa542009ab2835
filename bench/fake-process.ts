// The fake upstream in its own process, so the bench measures it and the gateway without sharing an event loop.
// Speaks over the IPC channel: `{ state }` merges into fake.state.copilot, then answers `{ ok: true }`.
import { FakeUpstream } from "../test/fake-upstream/server.js";

const fake = new FakeUpstream();
fake.record = false;
await fake.start();
fake.state.exchange.lifetime = 24 * 3600;
fake.state.exchange.refreshIn = 24 * 3600;

process.on("message", (message: { state?: Record<string, unknown> }) => {
  if (message.state) Object.assign(fake.state.copilot, message.state);
  process.send?.({ ok: true });
});
process.on("disconnect", () => {
  void fake.stop().then(() => process.exit(0));
});
process.send?.({ url: fake.url });

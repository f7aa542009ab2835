import { FakeUpstream } from "/work/wt/client/test/fake-upstream/server.ts";

const f = await new FakeUpstream().start(47111);
console.log(f.url);

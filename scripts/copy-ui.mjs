// The web page's static files are not TypeScript: copy them next to the compiled server (dist/server/ui).
import { cpSync } from "node:fs";

cpSync(new URL("../src/server/ui/", import.meta.url), new URL("../dist/server/ui/", import.meta.url), {
  recursive: true,
});

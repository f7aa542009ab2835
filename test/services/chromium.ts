import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's Chromium (`.ci/run` installs it); tests never download a browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Without Chromium, CI fails loudly; a developer machine without it skips the browser tests. */
export const chromiumRunnable = existsSync(CHROMIUM) || process.env.CI === "true";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Chromium {
  context: BrowserContext;
  /** Close the browser and remove its profile. */
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile of its own (a persistent context, as a user's browser has). */
export async function launchChromium(
  options: { viewport?: { width: number; height: number }; isMobile?: boolean } = {},
): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), "cg-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

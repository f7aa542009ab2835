import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** A clipboard writer: the program, its arguments, and the name said to the user. */
interface ClipboardTool {
  command: string;
  args: string[];
}

/** The first of `names` found as an executable file on PATH (no shell, no `which`). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The clipboard tools worth trying on this platform, in order (Wayland before X11, WSL's clip.exe last). */
function candidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): ClipboardTool[] {
  if (platform === "darwin") return [{ command: "pbcopy", args: [] }];
  if (platform === "win32") return [{ command: "clip.exe", args: [] }];
  const tools: ClipboardTool[] = [];
  if (env.WAYLAND_DISPLAY) tools.push({ command: "wl-copy", args: [] });
  tools.push(
    { command: "xclip", args: ["-selection", "clipboard"] },
    { command: "xsel", args: ["--clipboard", "--input"] },
    { command: "wl-copy", args: [] },
    { command: "clip.exe", args: [] },
  );
  return tools;
}

/**
 * Put `text` on the clipboard with the first tool found on PATH. Best effort: resolves to the tool's name when it
 * took the text (exit 0 within two seconds), undefined otherwise (no tool, no display, a failure). Never throws.
 */
export async function copyToClipboard(
  text: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): Promise<string | undefined> {
  const seen = new Set<string>();
  for (const tool of candidates(platform, env)) {
    if (seen.has(tool.command)) continue;
    seen.add(tool.command);
    const path = findOnPath(tool.command, env);
    if (!path) continue;
    if (await runWithInput(path, tool.args, text, env)) return tool.command;
  }
  return undefined;
}

function runWithInput(path: string, args: string[], input: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    };
    // xclip and wl-copy stay in the background to serve the selection: only the foreground exit is awaited.
    const timer = setTimeout(() => done(false), 2000);
    try {
      const child = spawn(path, args, { stdio: ["pipe", "ignore", "ignore"], env, detached: true });
      child.on("error", () => done(false));
      child.on("exit", (code) => done(code === 0));
      child.stdin.on("error", () => done(false));
      child.stdin.end(input);
      child.unref();
    } catch {
      done(false);
    }
  });
}

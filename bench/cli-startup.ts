// CLI start-up beside a bare `node -e 0`: every command that fails fast (no token) or answers from disk must stay
// within 2x. CPU (user + system) comes from this process's reaped-children times in /proc/self/stat (cutime +
// cstime, Linux), read around each synchronous run, so no extra tool is needed; wall time is the median.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { saveGitHubToken } from "../src/auth/token-store.js";

const BIN = fileURLToPath(new URL("../bin/copilot-gateway.js", import.meta.url));

/** CPU time of the children this process has waited for, in ms (clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

export interface CliStartupRow {
  label: string;
  cpuMs: number;
  wallMs: number;
  cpuRatio: number;
  wallRatio: number;
}

export function measureCliStartup(runs: number, bin = BIN): CliStartupRow[] {
  const home = mkdtempSync(join(tmpdir(), "cg-bench-cli-"));
  const empty = { PATH: process.env.PATH ?? "", HOME: home, COPILOT_GATEWAY_HOME: join(home, "none") };
  const stored = { ...empty, COPILOT_GATEWAY_HOME: join(home, "stored") };
  saveGitHubToken(
    { homeDir: stored.COPILOT_GATEWAY_HOME, host: "github.com" },
    { token: "gho_benchcli00000000000000000000000000000", login: "bench" },
  );
  const commands: { label: string; args: string[]; env: Record<string, string> }[] = [
    { label: "node -e 0", args: ["-e", "0"], env: empty },
    ...(
      [
        ["--help", ["--help"], empty],
        ["serve --help", ["serve", "--help"], empty],
        ["status --json (no token)", ["status", "--json"], empty],
        ["env claude-code (no token)", ["env", "claude-code"], empty],
        ["models (no token)", ["models"], empty],
        ["usage --history (no token)", ["usage", "--history"], empty],
        ["chat (no token)", ["chat", "hi"], empty],
        ["debug (no token)", ["debug"], empty],
        ["debug (stored login)", ["debug"], stored],
        ["token (stored login)", ["token"], stored],
      ] as const
    ).map(([label, args, env]) => ({ label, args: [bin, ...args], env })),
  ];
  const cpu = commands.map(() => 0);
  const walls: number[][] = commands.map(() => []);
  // One warm-up pass (disk cache), then rounds that interleave the commands so load from elsewhere hits all alike.
  for (let round = -1; round < runs; round++) {
    commands.forEach((command, i) => {
      const before = childrenCpuMs();
      const started = performance.now();
      spawnSync(process.execPath, command.args, { env: command.env, stdio: "ignore" });
      const wall = performance.now() - started;
      if (round < 0) return;
      cpu[i] = (cpu[i] ?? 0) + childrenCpuMs() - before;
      walls[i]?.push(wall);
    });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const baseCpu = (cpu[0] ?? 0) / runs;
  const baseWall = median(walls[0] ?? []);
  return commands.map((command, i) => ({
    label: command.label,
    cpuMs: (cpu[i] ?? 0) / runs,
    wallMs: median(walls[i] ?? []),
    cpuRatio: (cpu[i] ?? 0) / runs / baseCpu,
    wallRatio: median(walls[i] ?? []) / baseWall,
  }));
}

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitForPort } from "./free-port.js";

/** Debian's redis-server (`.ci/run` installs it when missing). */
export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? "/usr/bin/redis-server";

const TLS_DIR = fileURLToPath(new URL("../copilot/tls/", import.meta.url));

export interface RedisServerOptions {
  /** `requirepass`: clients must send this password. */
  password?: string;
  /** Append-only file on, so a restart keeps the data (off by default: a restart starts empty). */
  appendOnly?: boolean;
  /** Serve TLS only (`rediss://`), with the test certificate for 127.0.0.1. */
  tls?: boolean;
}

/**
 * A real redis-server on a free loopback port, its files in a temporary directory. `stop()` and `start()` again
 * keep the port, so clients can reconnect to the same URL (an outage, then recovery).
 */
export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), "cgw-redis-"));
  readonly options: RedisServerOptions;
  port = 0;
  #child: ChildProcess | undefined;

  constructor(options: RedisServerOptions = {}) {
    this.options = options;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(options);
    await server.start();
    return server;
  }

  /** The URL clients use (with the password when there is one). */
  get url(): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : "";
    return `${this.options.tls ? "rediss" : "redis"}://${auth}127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    // A restart keeps its port, so clients reconnect to the same URL.
    if (this.port !== 0) return this.#spawn();
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort();
      try {
        return await this.#spawn();
      } catch (error) {
        // Another process took the port between our probe and redis binding it: try another, a few times.
        if (attempt >= 3) throw error;
      }
    }
  }

  async #spawn(): Promise<void> {
    const args = [
      "--bind",
      "127.0.0.1",
      "--dir",
      this.dir,
      "--save",
      "",
      "--appendonly",
      this.options.appendOnly ? "yes" : "no",
      "--daemonize",
      "no",
      "--logfile",
      "",
      "--loglevel",
      "warning",
    ];
    if (this.options.tls) {
      args.push(
        "--port",
        "0",
        "--tls-port",
        String(this.port),
        "--tls-cert-file",
        join(TLS_DIR, "test-server.pem"),
        "--tls-key-file",
        join(TLS_DIR, "test-server.key"),
        "--tls-auth-clients",
        "no",
      );
    } else args.push("--port", String(this.port));
    if (this.options.password) args.push("--requirepass", this.options.password);
    const child = spawn(REDIS_SERVER, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${stderr.trim()}`))),
    );
    exited.catch(() => {});
    await Promise.race([waitForPort(this.port), exited]);
    this.#child = child;
    child.once("exit", () => {
      if (this.#child === child) this.#child = undefined;
    });
  }

  /** SIGTERM and wait for the exit (Redis refuses connections from then on). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }

  /** Stop for good and remove the files. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

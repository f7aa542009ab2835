import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitForPort } from "./free-port.js";

/** Debian's nginx (`.ci/run` installs it when missing). */
export const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";

const TLS_DIR = fileURLToPath(new URL("../copilot/tls/", import.meta.url));
export const DEPLOY_NGINX_CONF = fileURLToPath(new URL("../../docs/deploy/nginx.conf", import.meta.url));

/**
 * The site file of docs/deploy/nginx.conf made runnable here: the replicas' addresses, a loopback port and the test
 * certificate instead of the examples. Everything else (buffering, timeouts, headers) is the documented file as is.
 */
export function siteConfig(upstreams: readonly number[], port: number): string {
  let conf = readFileSync(DEPLOY_NGINX_CONF, "utf8");
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join("\n");
  conf = conf.replace(/(upstream copilot_gateway \{\n)(?:.*\n)*?(\s*keepalive)/, (_m, head, tail) => {
    return `${head}${servers}\n${tail}`;
  });
  conf = conf.replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${port} ssl http2;`);
  conf = conf.replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${join(TLS_DIR, "test-server.pem")};`);
  conf = conf.replace(
    /ssl_certificate_key\s+\S+;/,
    `ssl_certificate_key ${join(TLS_DIR, "test-server.key")};`,
  );
  return conf;
}

/** A real nginx, in the foreground, with its files in a temporary directory, serving `site` on `port`. */
export class Nginx {
  readonly dir = mkdtempSync(join(tmpdir(), "cgw-nginx-"));
  port = 0;
  #child: ChildProcess | undefined;

  static async start(upstreams: readonly number[]): Promise<Nginx> {
    const nginx = new Nginx();
    nginx.port = await freePort();
    await nginx.#spawn(siteConfig(upstreams, nginx.port));
    return nginx;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async #spawn(site: string): Promise<void> {
    const d = this.dir;
    for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(d, sub));
    writeFileSync(join(d, "site.conf"), site);
    writeFileSync(
      join(d, "nginx.conf"),
      `daemon off;
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${d}/access.log;
  client_body_temp_path ${d}/body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  include ${d}/site.conf;
}
`,
    );
    const child = spawn(NGINX, ["-p", d, "-e", `${d}/error.log`, "-c", `${d}/nginx.conf`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`nginx exited (${code}): ${stderr.trim()}`))),
    );
    exited.catch(() => {});
    await Promise.race([waitForPort(this.port), exited]);
    this.#child = child;
  }

  /** The access log so far (which replica served what is not in it; the status and bytes are). */
  accessLog(): string {
    return readFileSync(join(this.dir, "access.log"), "utf8");
  }

  async dispose(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGQUIT");
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

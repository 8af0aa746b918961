/**
 * Loopback HTTP fronts for a test registry: a token service (distribution's `auth: token` flow,
 * ES256 tokens signed with a key of the suite's own, its certificate in the registry's
 * rootcertbundle) answering /token on the same address as the registry, and a front that answers
 * 503 to the first requests, as a registry having a bad minute does. Everything else is forwarded.
 */
import { execFileSync } from "node:child_process";
import { createPrivateKey, randomUUID, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort } from "./commands.js";
import { startRegistry, type LocalRegistry, type RegistryUser } from "./registry.js";

/** A front: its port, what it saw, and how to stop it (and what it fronts). */
export interface Front {
  port: number;
  url: string;
  /** Requests answered 503 so far. */
  failed(): number;
  stop(): Promise<void>;
}

/** Forwards `req` to 127.0.0.1:`port`, streaming both ways. */
function forward(req: IncomingMessage, res: ServerResponse, port: number): void {
  const up = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on("error", (e) => {
    res.writeHead(502);
    res.end(String(e));
  });
  req.pipe(up);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A front on a free port that answers 503 to the first `failures` requests, then forwards to `backend`. */
export async function flakyFront(backend: number, failures: number): Promise<Front> {
  const port = await freePort();
  let seen = 0;
  const server = createServer((req, res) => {
    if (seen < failures) {
      seen++;
      req.resume();
      res.writeHead(503, { "Content-Type": "text/plain", "Retry-After": "0" });
      res.end("service unavailable (the suite's flaky front)\n");
      return;
    }
    forward(req, res, backend);
  });
  await listen(server, port);
  return { port, url: `http://127.0.0.1:${port}`, failed: () => seen, stop: () => close(server) };
}

const base64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/**
 * A registry behind token authentication: docker-registry with `auth: token`, and in front of it on
 * one address a token service that checks `user`'s Basic credentials and grants the scopes asked
 * for. Clients see one registry at `localhost:<port>` whose realm is `http://localhost:<port>/token`.
 */
export async function startTokenRegistry(user: RegistryUser): Promise<LocalRegistry & { tokensIssued(): number }> {
  const dir = mkdtempSync(join(tmpdir(), "go-scratch-token-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], { stdio: "ignore" });
  execFileSync("openssl", ["req", "-new", "-x509", "-key", key, "-out", cert, "-days", "2", "-subj", "/CN=go-scratch-test-token-issuer"], { stdio: "ignore" });
  const privateKey = createPrivateKey(readFileSync(key));
  const der = new X509Certificate(readFileSync(cert)).raw;
  const [port, inner] = [await freePort(), await freePort()];
  const service = "go-scratch-test-registry";
  const issuer = "go-scratch-test-issuer";
  const realm = `http://localhost:${port}/token`;
  const registry = await startRegistry({ port: inner, token: { realm, service, issuer, rootCertBundle: cert } });
  let issued = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://localhost:${port}`);
    if (url.pathname !== "/token") return forward(req, res, inner);
    const [scheme, encoded] = (req.headers.authorization ?? "").split(" ");
    const [name, password] = Buffer.from(encoded ?? "", "base64").toString().split(":");
    if (scheme !== "Basic" || name !== user.username || password !== user.password) {
      res.writeHead(401, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] }));
      return;
    }
    const access = url.searchParams.getAll("scope").flatMap((scope) => {
      const [type, repo, actions] = [scope.slice(0, scope.indexOf(":")), scope.slice(scope.indexOf(":") + 1, scope.lastIndexOf(":")), scope.slice(scope.lastIndexOf(":") + 1)];
      return repo ? [{ type, name: repo, actions: actions.split(",") }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ typ: "JWT", alg: "ES256", x5c: [der.toString("base64")] }));
    const claims = base64url(JSON.stringify({ iss: issuer, sub: name, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }));
    const signature = sign("sha256", Buffer.from(`${header}.${claims}`), { key: privateKey, dsaEncoding: "ieee-p1363" });
    const token = `${header}.${claims}.${base64url(signature)}`;
    issued++;
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await listen(server, port);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    how: `docker-registry with token auth behind a token service of the suite's (${registry.how})`,
    tokensIssued: () => issued,
    async stop() {
      await close(server);
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

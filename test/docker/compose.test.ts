/**
 * docker/compose.yaml (with the Dockerfile's ENV) checked against the code,
 * since nothing here can run it: the SKEW_* variables it sets are the ones
 * @skew/node reads, the ports and the data directory agree with the image,
 * the members are the services, and, most telling, each service's
 * environment goes through the node's own `loadConfig` and comes out as the
 * node it is meant to be. Every message names the file and the entry.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadConfig, nodeOptions } from "@skew/node";
import { describe, expect, it } from "vitest";
import { environmentOf, interpolateAll, mountOf, portOf, variablesOf } from "./compose-file.js";
import {
  COMPOSE,
  compose,
  composeRaw,
  composeText,
  containerEnv,
  DOCKERFILE,
  ENV_EXAMPLE,
  imageEnv,
  last,
  read,
  root,
  service,
  serviceNames,
  testVariables,
} from "./docker-files.js";

const envNames = new Set<string>(nodeOptions.map((option) => option.env));

describe(`${DOCKERFILE} and ${COMPOSE} against @skew/node`, () => {
  it("describe a cluster of several services", () => {
    expect(serviceNames.length, `${COMPOSE}: services`).toBeGreaterThanOrEqual(3);
  });

  it("name only SKEW_* variables that nodeOptions defines (packages/node/src/config.ts)", () => {
    const files = readdirSync(path.join(root, "docker"))
      .filter((name) => name !== ".env" && statSync(path.join(root, "docker", name)).isFile())
      .map((name) => `docker/${name}`);
    const used = new Set<string>();
    for (const file of files) {
      read(file)
        .split("\n")
        .forEach((text, i) => {
          for (const [name] of text.matchAll(/\bSKEW_[A-Z0-9_]*[A-Z0-9]\b/g)) {
            used.add(name);
            expect(envNames.has(name), `${file}:${i + 1}: ${name} is not one of nodeOptions' variables`).toBe(true);
          }
        });
    }
    for (const name of ["SKEW_ID", "SKEW_PEERS", "SKEW_PORT", "SKEW_DATA_DIR", "SKEW_SECRET"]) {
      expect(used, `docker/: nothing sets ${name}`).toContain(name);
    }
  });

  it("agree on the port: SKEW_PORT, EXPOSE and every container port", () => {
    const port = Number(imageEnv.SKEW_PORT);
    expect(Number.isInteger(port), `${DOCKERFILE} ENV SKEW_PORT=${imageEnv.SKEW_PORT}`).toBe(true);
    const expose = last("EXPOSE");
    expect(
      expose.value.split(/\s+/).map((p) => Number(p.replace(/\/tcp$/, ""))),
      expose.where,
    ).toEqual([port]);
    for (const name of serviceNames) {
      const ports = service(name).ports ?? [];
      expect(ports.length, `${COMPOSE} services.${name}.ports`).toBeGreaterThan(0);
      ports.forEach((entry, i) => {
        expect(portOf(entry).target, `${COMPOSE} services.${name}.ports[${i}] ${JSON.stringify(entry)}`).toBe(port);
      });
    }
  });

  it("publish each service on its own host port", () => {
    const published = serviceNames.flatMap((name) =>
      (service(name).ports ?? []).map((entry, i) => ({
        where: `services.${name}.ports[${i}]`,
        port: portOf(entry).published,
      })),
    );
    for (const { where, port } of published) {
      const others = published
        .filter((other) => other.port === port && other.where !== where)
        .map((other) => other.where);
      expect(others, `${COMPOSE} ${where}: host port ${port} is also used by`).toEqual([]);
    }
  });

  it("give every service the same member list", () => {
    const [first, ...rest] = serviceNames;
    for (const name of rest) {
      expect(
        environmentOf(service(name)).SKEW_PEERS,
        `${COMPOSE} services.${name}.environment.SKEW_PEERS vs ${first}'s`,
      ).toBe(environmentOf(service(first as string)).SKEW_PEERS);
    }
  });

  it("give every service its own named volume", () => {
    const sources = serviceNames.flatMap((name) =>
      (service(name).volumes ?? []).map((entry) => ({ name, mount: mountOf(entry) })),
    );
    for (const { name, mount } of sources) {
      expect(mount.type, `${COMPOSE} services.${name}.volumes ${mount.source}: a named volume`).toBe("volume");
      expect(Object.keys(compose.volumes ?? {}), `${COMPOSE} volumes: ${mount.source} (used by ${name})`).toContain(
        mount.source,
      );
      const sharing = sources
        .filter((other) => other.mount.source === mount.source && other.name !== name)
        .map((o) => o.name);
      expect(sharing, `${COMPOSE} services.${name}.volumes: ${mount.source} is shared with`).toEqual([]);
    }
  });

  it("build one image from the repository root with docker/Dockerfile", () => {
    const images = new Set(serviceNames.map((name) => service(name).image));
    expect(images.size, `${COMPOSE}: every service's image should be the same`).toBe(1);
    for (const name of serviceNames) {
      const { build } = service(name);
      const context = path.resolve(root, "docker", build?.context ?? ".");
      expect(context, `${COMPOSE} services.${name}.build.context`).toBe(root);
      expect(
        existsSync(path.join(context, build?.dockerfile ?? "Dockerfile")),
        `${COMPOSE} services.${name}.build.dockerfile`,
      ).toBe(true);
      expect(path.join(context, build?.dockerfile ?? ""), `${COMPOSE} services.${name}.build.dockerfile`).toBe(
        path.join(root, DOCKERFILE),
      );
    }
  });

  it("take the secrets from required variables", () => {
    for (const name of serviceNames) {
      const raw = environmentOf(composeRaw.services[name] ?? {});
      for (const secret of ["SKEW_SECRET", "SKEW_ADMIN_TOKEN"]) {
        expect(raw[secret], `${COMPOSE} services.${name}.environment.${secret}`).toMatch(
          new RegExp(`^\\$\\{${secret}:\\?[^}]+\\}$`),
        );
      }
    }
    expect(() => interpolateAll(composeRaw, {}), `${COMPOSE} without SKEW_SECRET`).toThrow(
      /SKEW_SECRET.*set SKEW_SECRET/,
    );
    expect(
      () => interpolateAll(composeRaw, { SKEW_SECRET: testVariables.SKEW_SECRET }),
      `${COMPOSE} without SKEW_ADMIN_TOKEN`,
    ).toThrow(/SKEW_ADMIN_TOKEN/);
  });

  it(`are completed by ${ENV_EXAMPLE}: it sets what the compose file requires, and the nodes accept its values`, () => {
    const example = Object.fromEntries(
      read(ENV_EXAMPLE)
        .split("\n")
        .filter((line) => /^\s*[A-Za-z_]/.test(line))
        .map((line) => {
          const at = line.indexOf("=");
          return [
            line.slice(0, at).trim(),
            line
              .slice(at + 1)
              .trim()
              .replace(/^(["'])(.*)\1$/, "$2"),
          ];
        }),
    );
    expect(Object.keys(example).sort(), `${ENV_EXAMPLE} vs the variables ${COMPOSE} interpolates`).toEqual(
      [...variablesOf(composeText).keys()].sort(),
    );
    const cluster = interpolateAll(composeRaw, example);
    for (const name of serviceNames) {
      const config = loadConfig([], { ...imageEnv, ...environmentOf(cluster.services[name] ?? {}) });
      expect(config.ok ? "ok" : config.error.message, `${COMPOSE} services.${name} with ${ENV_EXAMPLE}'s values`).toBe(
        "ok",
      );
    }
  });

  describe.each(serviceNames)(`${COMPOSE} services.%s`, (name) => {
    it("is, through loadConfig, the node it is meant to be", () => {
      const config = loadConfig([], containerEnv(name));
      if (!config.ok) throw new Error(`${COMPOSE} services.${name}: loadConfig refused it: ${config.error.message}`);
      const port = Number(imageEnv.SKEW_PORT);
      const { id, host, dataDir, peers } = config.value;
      expect(id, `${COMPOSE} services.${name}.environment.SKEW_ID`).toBe(name);
      expect(host, `${DOCKERFILE} ENV SKEW_HOST (every interface, so that peers and ports reach it)`).toBe("0.0.0.0");
      expect(config.value.port, `${DOCKERFILE} ENV SKEW_PORT`).toBe(7001);
      expect(config.value.port, `${DOCKERFILE} ENV SKEW_PORT`).toBe(port);
      expect(dataDir, `${DOCKERFILE} ENV SKEW_DATA_DIR`).toBe("/data");
      expect(peers, `${COMPOSE} services.${name}.environment.SKEW_PEERS`).toEqual(
        serviceNames.map((member) => ({ id: member, url: `http://${member}:${port}` })),
      );
      expect(config.value.secret.bytes, `${COMPOSE} services.${name}.environment.SKEW_SECRET`).toBe(
        Buffer.byteLength(testVariables.SKEW_SECRET),
      );
      expect(config.value.adminToken, `${COMPOSE} services.${name}.environment.SKEW_ADMIN_TOKEN`).toBe(
        testVariables.SKEW_ADMIN_TOKEN,
      );
    });

    it("names itself among its peers, each peer a service of the file at the container port", () => {
      const env = environmentOf(service(name));
      const members = (env.SKEW_PEERS ?? "").split(",").map((pair) => pair.split("="));
      expect(
        members.map(([id]) => id),
        `${COMPOSE} services.${name}.environment.SKEW_PEERS should include SKEW_ID=${env.SKEW_ID}`,
      ).toContain(env.SKEW_ID);
      for (const [id, url] of members) {
        const where = `${COMPOSE} services.${name}.environment.SKEW_PEERS ${id}=${url}`;
        const parsed = new URL(url ?? "");
        expect(serviceNames, `${where}: its host is a service`).toContain(parsed.hostname);
        expect(environmentOf(service(parsed.hostname)).SKEW_ID, `${where}: the service at that host has that id`).toBe(
          id,
        );
        expect(parsed.port, `${where}: the container port`).toBe(imageEnv.SKEW_PORT);
      }
    });

    it("keeps its data in a volume at SKEW_DATA_DIR", () => {
      const volumes = service(name).volumes ?? [];
      expect(volumes.length, `${COMPOSE} services.${name}.volumes`).toBeGreaterThan(0);
      volumes.forEach((entry, i) => {
        expect(
          mountOf(entry).target,
          `${COMPOSE} services.${name}.volumes[${i}] vs ${DOCKERFILE} ENV SKEW_DATA_DIR`,
        ).toBe(imageEnv.SKEW_DATA_DIR);
      });
    });

    it("restarts unless stopped, and keeps the image's healthcheck or one on /health", () => {
      const { restart, healthcheck } = service(name);
      expect(restart, `${COMPOSE} services.${name}.restart`).toBe("unless-stopped");
      if (healthcheck !== undefined) {
        expect(healthcheck.disable, `${COMPOSE} services.${name}.healthcheck.disable`).not.toBe(true);
        expect(JSON.stringify(healthcheck.test), `${COMPOSE} services.${name}.healthcheck.test`).toContain("/health");
      }
    });

    it("is refused, with a clear error, given a peer list without itself", () => {
      const env = containerEnv(name);
      const others = (env.SKEW_PEERS ?? "")
        .split(",")
        .filter((pair) => !pair.startsWith(`${name}=`))
        .join(",");
      const config = loadConfig([], { ...env, SKEW_PEERS: others });
      expect(config.ok, `${COMPOSE} services.${name} with SKEW_PEERS=${others}`).toBe(false);
      if (config.ok) return;
      expect(config.error.code).toBe("CONFIG_INVALID");
      expect(config.error.message).toContain(`--peers must include this node (${name})`);
    });

    it("is refused, with a clear error, given a secret that is too short", () => {
      const config = loadConfig([], { ...containerEnv(name), SKEW_SECRET: "short" });
      expect(config.ok, `${COMPOSE} services.${name} with SKEW_SECRET=short`).toBe(false);
      if (!config.ok) expect(config.error.message).toMatch(/cluster secret.*5 bytes/);
    });
  });
});

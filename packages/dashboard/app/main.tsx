/**
 * The dashboard every Skew node serves at `/`: four pages, chosen by the
 * URL's hash (`#/cluster`, `#/clocks`, `#/keys`, `#/lost-updates`), all
 * reading the node that served them.
 */
import type { ClusterView } from "@skew/client/api";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./styles.css";
import { getCluster } from "./api.js";
import { ErrorBoundary, ErrorBox } from "./components/ErrorBox.js";
import { ClocksPage } from "./pages/ClocksPage.js";
import { ClusterPage } from "./pages/ClusterPage.js";
import { KeysPage } from "./pages/KeysPage.js";
import { LostUpdatesPage } from "./pages/LostUpdatesPage.js";

const pages = [
  { path: "cluster", title: "Cluster", Page: ClusterPage },
  { path: "clocks", title: "Clocks", Page: ClocksPage },
  { path: "keys", title: "Keys", Page: KeysPage },
  { path: "lost-updates", title: "Lost updates", Page: LostUpdatesPage },
] as const;

function currentPath(): string {
  return location.hash.replace(/^#\/?/, "") || "cluster";
}

function App() {
  const [path, setPath] = useState(currentPath);
  const [cluster, setCluster] = useState<ClusterView>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const onHash = (): void => setPath(currentPath());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    getCluster().then(setCluster, setError);
  }, []);
  useEffect(() => {
    const page = pages.find((p) => p.path === path);
    document.title = `${page?.title ?? "Skew"} · ${cluster?.node ?? "Skew"}`;
  }, [path, cluster]);

  const page = pages.find((p) => p.path === path);
  return (
    <>
      <header class="top">
        <h1>
          Skew <span class="muted">{cluster === undefined ? "" : `cluster ${cluster.cluster}`}</span>
        </h1>
        <nav>
          {pages.map((p) => (
            <a key={p.path} href={`#/${p.path}`} class={p.path === path ? "active" : ""} data-testid={`nav-${p.path}`}>
              {p.title}
            </a>
          ))}
        </nav>
        <div class="serving">
          served by <strong data-testid="header-node">{cluster?.node ?? "…"}</strong>
        </div>
      </header>
      <main>
        <ErrorBox error={error} testId="header-error" />
        <ErrorBoundary key={path}>
          {page === undefined ? (
            <ErrorBox
              error={{ code: "NO_SUCH_PAGE", message: `no page "${path}": pick one above` }}
              testId="page-error"
            />
          ) : (
            <page.Page />
          )}
        </ErrorBoundary>
      </main>
    </>
  );
}

const root = document.getElementById("app");
if (root !== null) render(<App />, root);

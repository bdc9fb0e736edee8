import { useCallback, useEffect, useState } from "react";
import { call, describeError, toApiError, transportKind, type AppInfo, type ProjectSummary } from "./ipc";
import { Icon } from "./components/Icon";
import { Toasts, notify } from "./components/toast";
import { ProgressTray } from "./components/ProgressTray";
import { useShortcuts } from "./components/shortcuts";
import { Home } from "./features/home/Home";
import { CompareView } from "./features/compare/CompareView";
import { ProjectView, type Tab } from "./features/project/ProjectView";
import { ShortcutHelp } from "./features/ShortcutHelp";
import { useEvents } from "./features/useEvents";
import { baseName } from "./format";

type Route = { screen: "home" } | { screen: "project"; path: string; tab: Tab } | { screen: "compare"; projects: string[] };

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [route, setRoute] = useState<Route>({ screen: "home" });
  const [recent, setRecent] = useState<ProjectSummary[]>([]);
  const [help, setHelp] = useState(false);

  const refreshRecent = useCallback(() => {
    call("list_projects", {})
      .then(setRecent)
      .catch((e) => notify("error", describeError(toApiError(e))));
  }, []);

  useEffect(() => {
    call("app_info", {})
      .then((i) => {
        setInfo(i);
        if (i.initialProject) setRoute({ screen: "project", path: i.initialProject, tab: "pipeline" });
      })
      .catch((e) => notify("error", describeError(toApiError(e))));
    refreshRecent();
  }, [refreshRecent]);

  useEvents((e) => {
    if (e.type === "run_finished" || e.type === "projects_changed") refreshRecent();
  });

  const open = useCallback((path: string) => setRoute({ screen: "project", path, tab: "pipeline" }), []);

  useShortcuts({
    "?": () => setHelp((h) => !h),
    h: () => setRoute({ screen: "home" }),
  });

  const current = route.screen === "project" ? route.path : null;
  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <img src="./cairn.svg" alt="" width={26} height={26} />
          <span>Cairn</span>
        </div>
        <nav>
          <button
            className={`nav-item ${route.screen !== "project" ? "active" : ""}`}
            onClick={() => {
              setRoute({ screen: "home" });
              refreshRecent();
            }}
            data-testid="nav-home"
          >
            <Icon name="home" />
            <span>Projects</span>
          </button>
          <div className="nav-label">Recent</div>
          {recent.slice(0, 8).map((p) => (
            <button
              key={p.path}
              className={`nav-item nav-project ${current === p.path ? "active" : ""}`}
              onClick={() => open(p.path)}
              title={p.path}
            >
              <span className={`nav-dot ${p.staleCount ? "stale" : p.problem ? "failed" : "ok"}`} />
              <span className="truncate">{p.name}</span>
            </button>
          ))}
        </nav>
        <div className="sidebar-foot">
          <button className="nav-item" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
            <Icon name="keyboard" />
            <span>Shortcuts</span>
          </button>
          <div className="version">
            v{info?.version ?? "…"} · {transportKind() === "tauri" ? "desktop" : "browser"}
          </div>
        </div>
      </aside>
      <main className="main">
        {route.screen === "home" ? (
          <Home onOpen={open} onChanged={refreshRecent} onCompare={(projects) => setRoute({ screen: "compare", projects })} />
        ) : route.screen === "compare" ? (
          <CompareView
            projects={route.projects}
            onOpen={(path) => setRoute({ screen: "project", path, tab: "experiments" })}
            onBack={() => setRoute({ screen: "home" })}
          />
        ) : (
          <ProjectView
            key={route.path}
            path={route.path}
            name={recent.find((p) => p.path === route.path)?.name ?? baseName(route.path)}
            tab={route.tab}
            onTab={(tab) => setRoute({ ...route, tab })}
            onOpened={refreshRecent}
          />
        )}
      </main>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
      <ProgressTray />
      <Toasts />
    </div>
  );
}

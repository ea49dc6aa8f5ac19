// The admin dashboard under /admin/*: a session check, then the page the path names.
// Every page but log-in needs a session; without one the path is kept in `next`.
import { useEffect, type ReactNode } from "react";
import { navigate, usePathname, useSearch } from "../router/router";
import { fetchSession } from "../api/admin";
import { AdminLayout } from "./AdminLayout";
import { LoginPage } from "./LoginPage";
import { ApiKeysPage } from "./apikeys/ApiKeysPage";
import { AuditPage } from "./audit/AuditPage";
import { ContributorsPage } from "./contributors/ContributorsPage";
import { DatasetDetailPage } from "./datasets/DatasetDetailPage";
import { DatasetsPage } from "./datasets/DatasetsPage";
import { DrawingDetailPage } from "./drawings/DrawingDetailPage";
import { DrawingsPage } from "./drawings/DrawingsPage";
import { ExperimentPage } from "./experiments/ExperimentPage";
import { ExperimentsPage } from "./experiments/ExperimentsPage";
import { AdminEventsProvider } from "./live/AdminEvents";
import type { SocketFactory } from "./live/eventConnection";
import { ModelsPage } from "./models/ModelsPage";
import { OverviewPage } from "./overview/OverviewPage";
import { ReviewPage } from "./review/ReviewPage";
import { ShapesPage } from "./shapes/ShapesPage";
import { TrainingPage } from "./training/TrainingPage";
import { TransferPage } from "./transfer/TransferPage";
import { useAdminAuth } from "./useAdminAuth";
import "./admin.css";

export const LOGIN_PATH = "/admin/login";

function pageFor(path: string): ReactNode {
  if (path === "/admin") return <OverviewPage />;
  if (path === "/admin/drawings") return <DrawingsPage />;
  const drawing = /^\/admin\/drawings\/([^/]+)$/.exec(path);
  if (drawing) return <DrawingDetailPage id={decodeURIComponent(drawing[1])} />;
  if (path === "/admin/review") return <ReviewPage />;
  if (path === "/admin/datasets") return <DatasetsPage />;
  const dataset = /^\/admin\/datasets\/([^/]+)$/.exec(path);
  if (dataset) return <DatasetDetailPage id={decodeURIComponent(dataset[1])} />;
  if (path === "/admin/training") return <TrainingPage />;
  if (path === "/admin/models") return <ModelsPage />;
  if (path === "/admin/experiments") return <ExperimentsPage />;
  const experiment = /^\/admin\/experiments\/([^/]+)$/.exec(path);
  if (experiment) return <ExperimentPage id={decodeURIComponent(experiment[1])} />;
  if (path === "/admin/contributors") return <ContributorsPage />;
  if (path === "/admin/shapes") return <ShapesPage />;
  if (path === "/admin/data") return <TransferPage />;
  if (path === "/admin/audit") return <AuditPage />;
  if (path === "/admin/api-keys") return <ApiKeysPage />;
  return (
    <section>
      <h2>Not found</h2>
      <p>There is no admin page at {path}.</p>
    </section>
  );
}

/** Only an admin path may be `next`, so the log-in page cannot send anyone elsewhere. */
function nextPath(search: string): string {
  const next = new URLSearchParams(search).get("next");
  return next && /^\/admin([/?]|$)/.test(next) && !next.startsWith(LOGIN_PATH) ? next : "/admin";
}

/** Asks whether the session is still there; a 401 signs out through the usual path. */
const probeSession = () => void fetchSession().catch(() => undefined);

export interface AdminAppProps {
  /** Makes the live events socket; tests hand in a fake. */
  connectEvents?: SocketFactory;
}

export default function AdminApp({ connectEvents }: AdminAppProps = {}) {
  const auth = useAdminAuth();
  const rawPath = usePathname();
  const search = useSearch();
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, "") : rawPath;
  const onLogin = path === LOGIN_PATH;
  const status = auth.state.status;

  useEffect(() => {
    if (status === "signedOut" && !onLogin) {
      navigate(`${LOGIN_PATH}?next=${encodeURIComponent(path + window.location.search)}`, { replace: true });
    } else if (status === "signedIn" && onLogin) {
      navigate(nextPath(search), { replace: true });
    }
  }, [status, onLogin, path, search]);

  if (auth.state.status === "checking") {
    return <p className="page page--loading">Checking your session…</p>;
  }
  if (auth.state.status === "signedOut") {
    return onLogin ? <LoginPage auth={auth} /> : <p className="page page--loading">Redirecting to log-in…</p>;
  }
  if (onLogin) return <p className="page page--loading">Signed in; redirecting…</p>;
  // The live socket lives as long as the session: opened here, closed on log-out.
  return (
    <AdminEventsProvider onSessionEnded={auth.checkSession} onRefused={probeSession} connect={connectEvents}>
      <AdminLayout admin={auth.state.admin} onLogout={auth.logout} path={path}>
        {pageFor(path)}
      </AdminLayout>
    </AdminEventsProvider>
  );
}

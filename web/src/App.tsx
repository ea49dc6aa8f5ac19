import { lazy, Suspense, type ComponentType } from "react";
import { GamePage } from "./game/GamePage";
import { Link, matchPath, usePathname } from "./router/router";

// Only the game is in the first load; the other pages arrive when visited.
const AdminApp = lazy(() => import("./admin/AdminApp"));
const ImplementorPage = lazy(() => import("./implementor/ImplementorPage"));
const TogetherPage = lazy(() => import("./together/TogetherPage"));

interface Route {
  path: string;
  component: ComponentType;
}

const ROUTES: Route[] = [
  { path: "/", component: GamePage },
  { path: "/admin/*", component: AdminApp },
  { path: "/implementor", component: ImplementorPage },
  { path: "/together/:roomId", component: TogetherPage },
];

function NotFound() {
  return (
    <main className="page">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the drawing game</Link>
      </p>
    </main>
  );
}

export function App() {
  const pathname = usePathname();
  const Page = ROUTES.find((route) => matchPath(route.path, pathname))?.component ?? NotFound;
  return (
    <Suspense fallback={<p className="page page--loading">Loading…</p>}>
      <Page />
    </Suspense>
  );
}

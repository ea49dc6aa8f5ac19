import type { ReactNode } from "react";
import type { AdminUser } from "../api/admin";
import { Link } from "../router/router";
import { LiveIndicator } from "./live/LiveIndicator";

const SECTIONS = [
  { to: "/admin", label: "Overview" },
  { to: "/admin/drawings", label: "Drawings" },
  { to: "/admin/review", label: "Review" },
  { to: "/admin/datasets", label: "Datasets" },
  { to: "/admin/training", label: "Training" },
  { to: "/admin/models", label: "Models" },
  { to: "/admin/experiments", label: "Experiments" },
  { to: "/admin/contributors", label: "Contributors" },
  { to: "/admin/shapes", label: "Shapes" },
  { to: "/admin/data", label: "Import & export" },
  { to: "/admin/audit", label: "Audit log" },
  { to: "/admin/api-keys", label: "API keys" },
];

export interface AdminLayoutProps {
  admin: AdminUser;
  path: string;
  onLogout: () => void;
  children: ReactNode;
}

function isCurrent(to: string, path: string): boolean {
  return to === "/admin" ? path === to : path === to || path.startsWith(`${to}/`);
}

export function AdminLayout({ admin, path, onLogout, children }: AdminLayoutProps) {
  return (
    <div className="admin">
      <header className="admin__header">
        <Link to="/admin" className="admin__brand">
          crowdsketch admin
        </Link>
        <nav className="admin__nav" aria-label="Admin sections">
          {SECTIONS.map((section) => (
            <Link key={section.to} to={section.to} aria-current={isCurrent(section.to, path) ? "page" : undefined}>
              {section.label}
            </Link>
          ))}
        </nav>
        <div className="admin__user">
          <LiveIndicator />
          <span className="admin__email" title={admin.email}>
            {admin.name}
          </span>
          <button type="button" className="button button--quiet" onClick={onLogout}>
            Log out
          </button>
        </div>
      </header>
      <main className="admin__main">{children}</main>
    </div>
  );
}

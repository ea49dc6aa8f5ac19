import type { ReactNode } from "react";

/** Terms and their values, as the admin pages show a thing's facts (`.admin-facts`). */
export function FactList({ facts, className }: { facts: [string, ReactNode][]; className?: string }) {
  return (
    <dl className={className ? `admin-facts ${className}` : "admin-facts"}>
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

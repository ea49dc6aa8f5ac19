import type { Contributor, ContributorSort } from "../../api/review";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { formatWholePercent } from "../charts/scale";
import { useContributors } from "./useContributors";

const SORTS: { value: ContributorSort; label: string }[] = [
  { value: "trust", label: "Trust (lowest first)" },
  { value: "-trust", label: "Trust (highest first)" },
  { value: "-drawings", label: "Drawings" },
  { value: "-votes", label: "Votes" },
];

const percent = (value: number | null): string => (value === null ? "—" : formatWholePercent(value));

function ContributorRow({ contributor }: { contributor: Contributor }) {
  const seen = contributor.lastSeenAt ? new Date(contributor.lastSeenAt) : null;
  return (
    <tr>
      <th scope="row">
        <code title={contributor.sessionId}>{contributor.sessionId.slice(0, 8)}</code>
      </th>
      <td>{contributor.drawings.toLocaleString()}</td>
      <td>{contributor.votes.toLocaleString()}</td>
      <td>{percent(contributor.trust)}</td>
      <td>{percent(contributor.skill)}</td>
      <td>{percent(contributor.confirmation)}</td>
      <td title={seen?.toLocaleString()}>{seen ? seen.toLocaleDateString() : "—"}</td>
    </tr>
  );
}

/** The players behind the drawings and votes, with how far the crowd's answers trust them. */
export function ContributorsPage() {
  const contributors = useContributors();
  const { items } = contributors;
  return (
    <section className="admin-section">
      <h1>Contributors</h1>
      <p className="admin-muted">
        Skill: how often a player's answers to "Is this a …?" are right. Confirmation: how far the crowd confirms their
        drawings. Trust weighs both.
      </p>
      <div className="admin-toolbar">
        <label className="admin-field admin-field--inline">
          <span>Sort by</span>
          <select value={contributors.sort} onChange={(e) => contributors.setSort(e.target.value as ContributorSort)}>
            {SORTS.map((sort) => (
              <option key={sort.value} value={sort.value}>
                {sort.label}
              </option>
            ))}
          </select>
        </label>
        {contributors.loading && items && <span className="admin-muted">Loading…</span>}
      </div>
      <ErrorDisplay error={contributors.error} onRetry={contributors.reload} title="The contributors could not be loaded." />
      {!items && !contributors.error && <p className="admin-muted">Loading…</p>}
      {items && items.length === 0 && <p>No contributor yet.</p>}
      {items && items.length > 0 && (
        <div className="admin-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Drawings</th>
                <th scope="col">Votes</th>
                <th scope="col">Trust</th>
                <th scope="col">Skill</th>
                <th scope="col">Confirmation</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {items.map((contributor) => (
                <ContributorRow key={contributor.sessionId} contributor={contributor} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorDisplay error={contributors.moreError} onRetry={() => void contributors.loadMore()} title="More contributors could not be loaded." />
      {contributors.hasMore && (
        <p className="admin-pager">
          <button type="button" className="button" disabled={contributors.loadingMore || contributors.loading} aria-busy={contributors.loadingMore} onClick={() => void contributors.loadMore()}>
            Load more
          </button>
        </p>
      )}
    </section>
  );
}

// A drawing made together: who drew it, and which strokes are whose.
import type { DrawingContributor } from "../../api/admin";

/** "1 stroke", "2 strokes". */
export function strokeCountLabel(count: number): string {
  return `${count} stroke${count === 1 ? "" : "s"}`;
}

/** The colour of each stroke's author, by stroke index; undefined for a drawing made alone. */
export function authorColors(
  contributors: readonly DrawingContributor[] | undefined,
  strokeAuthors: readonly number[] | null | undefined,
): (string | undefined)[] | undefined {
  if (!contributors?.length || !strokeAuthors) return undefined;
  return strokeAuthors.map((author) => contributors[author]?.color);
}

/** Each participant with their ink, their name, how many strokes they drew and their session. */
export function DrawnTogether({ contributors }: { contributors: readonly DrawingContributor[] }) {
  return (
    <section aria-labelledby="drawn-together-heading">
      <h2 id="drawn-together-heading">Drawn together</h2>
      <ul className="admin-history" aria-label="Contributors">
        {contributors.map((contributor) => (
          <li key={contributor.sessionId}>
            <span className="chart__swatch" style={{ backgroundColor: contributor.color }} title={contributor.color} aria-hidden="true" />
            <strong>{contributor.name}</strong> · {strokeCountLabel(contributor.strokes.length)} ·{" "}
            <span className="admin-muted">Session {contributor.sessionId}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

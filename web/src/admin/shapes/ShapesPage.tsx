import { ErrorDisplay } from "../../common/ErrorDisplay";
import { ShapeCreateForm } from "./ShapeCreateForm";
import { ShapeTable } from "./ShapeTable";
import { useShapes } from "./useShapes";

/** The shape catalogue the game prompts from: add, rename, (de)activate and reorder. */
export function ShapesPage() {
  const catalogue = useShapes();
  const { shapes, actionError } = catalogue;
  return (
    <section className="admin-section">
      <h1>Shapes</h1>
      <p className="admin-muted">
        The game prompts the active shapes in this order. A shape is never deleted: its id labels drawings, exports and
        datasets, so an inactive one keeps its drawings.
      </p>
      {catalogue.notice && (
        <p className="admin-notice" role="status">
          {catalogue.notice}
        </p>
      )}
      <ErrorDisplay error={actionError?.error} title={actionError?.title} />
      <ErrorDisplay error={catalogue.error} onRetry={catalogue.reload} title="The shapes could not be loaded." />
      {!shapes && !catalogue.error && <p className="admin-muted">Loading…</p>}
      {shapes && shapes.length === 0 && <p>No shape yet; add one below.</p>}
      {shapes && shapes.length > 0 && (
        <ShapeTable shapes={shapes} busy={catalogue.busy} onRename={catalogue.rename} onSetActive={(shape, active) => void catalogue.setActive(shape, active)} onMove={catalogue.move} />
      )}
      <ShapeCreateForm creating={catalogue.creating} error={catalogue.createError} onCreate={catalogue.create} />
    </section>
  );
}

import { useCallback } from "react";
import { fetchStats } from "../../api/admin";
import { ErrorDisplay } from "../../common/ErrorDisplay";
import { BarChart } from "../charts/BarChart";
import { ColumnChart } from "../charts/ColumnChart";
import { formatPercent } from "../charts/scale";
import { useAdminEvents } from "../live/AdminEvents";
import { useThrottled } from "../live/useThrottled";
import { useApiResource } from "../useApiResource";
import { StatTiles } from "./StatTiles";

/** New drawings are counted again at most this often. */
export const STATS_REFRESH_MS = 1000;

const shortDay = (iso: string) => {
  const [, month, day] = iso.split("-");
  return `${Number(day)}/${Number(month)}`;
};

export function OverviewPage() {
  const load = useCallback((signal: AbortSignal) => fetchStats(signal), []);
  const { data: stats, error, reload } = useApiResource(load);
  // Live: drawings arriving (or events lost) count again; nothing is polled.
  const refresh = useThrottled(reload, STATS_REFRESH_MS);
  useAdminEvents((event) => {
    if (event.type === "drawings.stats" || event.type === "resync") refresh();
  });

  return (
    <section className="admin-section">
      <h1>Overview</h1>
      <ErrorDisplay error={error} onRetry={reload} title="The statistics could not be loaded." />
      {!stats && !error && <p className="admin-muted">Loading…</p>}
      {stats && (
        <>
          <StatTiles
            tiles={[
              { label: "Drawings", value: stats.totals.drawings.toLocaleString() },
              { label: "Flagged", value: `${stats.totals.flagged.toLocaleString()} (${formatPercent(stats.totals.flaggedShare)})` },
              { label: "Unflagged", value: stats.totals.unflagged.toLocaleString() },
              { label: "Contributor sessions", value: stats.contributorSessions.toLocaleString() },
            ]}
          />
          <div className="admin-charts">
            <BarChart
              title="Drawings per shape"
              partLabel="unflagged"
              bars={stats.perShape.map((shape) => ({
                label: shape.active ? shape.name : `${shape.name} (inactive)`,
                value: shape.total,
                part: shape.unflagged,
              }))}
            />
            <ColumnChart
              title="Drawings per day (last 30 UTC days)"
              labelEvery={5}
              columns={stats.perDay.map((day) => ({ label: shortDay(day.date), value: day.total, description: day.date }))}
            />
            <ColumnChart
              title="Quality score histogram"
              labelEvery={2}
              columns={stats.qualityHistogram.map((bin) => ({
                label: bin.start.toFixed(1),
                value: bin.total,
                description: `${bin.start.toFixed(1)}–${bin.end.toFixed(1)}`,
              }))}
            />
            <BarChart title="Drawings by source" bars={stats.bySource.map((s) => ({ label: s.source, value: s.total }))} />
            <BarChart title="Drawings by device" bars={stats.byDevice.map((d) => ({ label: d.device, value: d.total }))} />
          </div>
        </>
      )}
    </section>
  );
}

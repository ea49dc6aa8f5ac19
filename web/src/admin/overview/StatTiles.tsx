export interface StatTile {
  label: string;
  value: string;
}

export function StatTiles({ tiles }: { tiles: StatTile[] }) {
  return (
    <dl className="admin-tiles">
      {tiles.map((tile) => (
        <div key={tile.label} className="admin-tile">
          <dt>{tile.label}</dt>
          <dd>{tile.value}</dd>
        </div>
      ))}
    </dl>
  );
}

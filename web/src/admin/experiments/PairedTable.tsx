import type { PairedCounts } from "../../api/experiments";

/** Drawings both versions named (a game drawing is scored by both): who was right. */
export function PairedTable({ paired }: { paired: PairedCounts }) {
  const rows = [
    { label: "Both right", value: paired.bothRight },
    { label: "Only control right", value: paired.controlOnly },
    { label: "Only treatment right", value: paired.treatmentOnly },
    { label: "Both wrong", value: paired.bothWrong },
  ];
  return (
    <div className="admin-scroll">
      <table className="admin-table experiment-paired">
        <caption>Paired drawings ({paired.drawings.toLocaleString()} named by both versions)</caption>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>{row.value.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// Snapshots as the admin API answers them, for the Datasets tests.
import type { DatasetDetail, DatasetRead } from "../../api/datasets";

export const dataset = (id: string, name: string, changes: Partial<DatasetRead> = {}): DatasetRead => ({
  id,
  name,
  drawings: 150,
  perShape: { circle: 100, square: 50 },
  contentHash: "a".repeat(64),
  createdAt: "2027-03-01T10:00:00Z",
  filter: {
    shapes: ["circle", "square"], sources: null, minQuality: 0.3, minAgreement: null, minConsensus: null, minTrust: null,
    includeSynthetic: true, includeFlagged: false,
  },
  implicit: false,
  withdrawn: 0,
  models: [],
  ...changes,
});

export const detail = (changes: Partial<DatasetDetail> = {}): DatasetDetail => ({
  ...dataset("d1", "spring-2027", { models: [{ id: "m3", version: 3 }], withdrawn: 3 }),
  datasheet: {
    sources: { game: 40, import: 10, synthetic: 100 },
    licences: { "CC BY 4.0": 50, unspecified: 100 },
    history: [{ at: "2027-03-05T12:00:00Z", withdrawn: 3, previousHash: "b".repeat(64), contentHash: "a".repeat(64) }],
  },
  ...changes,
});

export const SHAPES = [
  { id: "circle", name: "Circle", closed: true, active: true, position: 0, createdAt: "2026-01-01T00:00:00Z", total: 100, unflagged: 100 },
  { id: "square", name: "Square", closed: true, active: true, position: 1, createdAt: "2026-01-01T00:00:00Z", total: 50, unflagged: 50 },
];

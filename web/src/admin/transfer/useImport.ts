import { useState } from "react";
import { importDrawings, type ImportSummary } from "../../api/admin";
import { toApiError, type ApiError } from "../../api/client";

export interface ImportResult {
  fileName: string;
  summary: ImportSummary;
}

/** One import at a time: the file goes up as the body, the summary comes back. */
export function useImport() {
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);

  /** True when the file was read (its lines may still have been refused). */
  const run = async (file: File, source: string | undefined): Promise<boolean> => {
    setImporting(true);
    setError(null);
    setResult(null);
    try {
      setResult({ fileName: file.name, summary: await importDrawings(file, source) });
      return true;
    } catch (reason) {
      setError(toApiError(reason));
      return false;
    } finally {
      setImporting(false);
    }
  };

  return { importing, error, result, run };
}

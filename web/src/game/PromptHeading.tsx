import type { ShapeRef } from "../api/collection";

export interface PromptHeadingProps {
  shape: ShapeRef | null;
  loading: boolean;
}

export const article = (name: string) => (/^[aeiou]/i.test(name) ? "an" : "a");

/** Catalogue names are title-cased ("Check mark"); a sentence reads better in lower case. */
export const inSentence = (name: string) => name.toLowerCase();

/** "Draw a circle": the one instruction the player needs. */
export function PromptHeading({ shape, loading }: PromptHeadingProps) {
  return (
    <h1 className="prompt" aria-live="polite">
      {shape ? (
        <>
          Draw {article(shape.name)} <strong className="prompt__shape">{inSentence(shape.name)}</strong>
        </>
      ) : loading ? (
        "Finding a shape…"
      ) : (
        "No shape to draw"
      )}
    </h1>
  );
}

import type { BrowserModelState } from "./useBrowserModel";

export interface BrowserSwitchProps {
  on: boolean;
  onChange: (on: boolean) => void;
  state: BrowserModelState;
}

function describe(state: BrowserModelState): string {
  switch (state.status) {
    case "off":
      return "Classify asks the server.";
    case "loading":
      return "Loading the model into your browser…";
    case "ready":
      return `Model v${state.version} runs in your browser: Classify sends nothing, and works offline.`;
    case "error":
      return `The model could not run in your browser: ${state.message}`;
  }
}

/** "Run in the browser": classify with onnxruntime-web on this device instead of the API. */
export function BrowserSwitch({ on, onChange, state }: BrowserSwitchProps) {
  return (
    <div className="browser-switch">
      <label className="browser-switch__label">
        <input type="checkbox" role="switch" checked={on} onChange={(event) => onChange(event.target.checked)} />
        Run in the browser
      </label>
      <p className={`browser-switch__status browser-switch__status--${state.status}`} role="status" aria-label="Browser model">
        {describe(state)}
      </p>
    </div>
  );
}

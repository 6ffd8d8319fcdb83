import { Component, type ComponentChildren } from "preact";
import { describeError } from "../lib/http.js";

/** A failed request or render, as the server's `{ code, message }` (or ours): never a blank page. */
export function ErrorBox({ error, testId }: { readonly error: unknown; readonly testId?: string }) {
  if (error === undefined || error === null) return null;
  const { code, message } = describeError(error);
  return (
    <div class="error" role="alert" data-testid={testId ?? "error"} data-code={code}>
      <strong>{code}</strong> {message}
    </div>
  );
}

/** Catches a page's render errors and shows them in place of the page. */
export class ErrorBoundary extends Component<{ readonly children?: ComponentChildren }, { error: unknown }> {
  override state = { error: undefined as unknown };

  override componentDidCatch(error: unknown): void {
    this.setState({ error });
  }

  override render() {
    if (this.state.error !== undefined) {
      return (
        <div>
          <ErrorBox error={this.state.error} testId="render-error" />
          <button type="button" onClick={() => this.setState({ error: undefined })}>
            Try again
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}

import { Component, type ReactNode } from "react";

/** Shows a readable message instead of a blank window if rendering throws. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="crash" role="alert" data-testid="crash">
        <h1>Something went wrong in the interface</h1>
        <p className="muted">Your projects and data are untouched. Reload the window to continue.</p>
        <pre className="code">{String(this.state.error.stack ?? this.state.error)}</pre>
        <button className="btn btn-primary" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}

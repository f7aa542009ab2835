/** A one-line status on a terminal that redraws itself: a spinner frame, then text that may change each tick. */
export interface Spinner {
  stop(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Redraw `text()` after a spinner frame every `intervalMs` on `stream` (a TTY), until `stop()` clears the line.
 * The timer is unref'd so it never keeps the process alive on its own.
 */
export function startSpinner(stream: NodeJS.WritableStream, text: () => string, intervalMs = 120): Spinner {
  let frame = 0;
  const draw = () => {
    stream.write(`\r${FRAMES[frame % FRAMES.length]} ${text()}\u001b[K`);
    frame++;
  };
  draw();
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      stream.write("\r\u001b[K");
    },
  };
}

/** "14:32" for a countdown of milliseconds (whole seconds, never negative). */
export function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

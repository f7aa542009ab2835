/**
 * Batches log lines into one write per event-loop turn. Writes to a terminal or file are synchronous in Node, so
 * under load one write per request would cost a system call each; this keeps it to one per turn.
 */
export interface LogWriter {
  write(line: string): void;
  /** Write out what is buffered now (before exit). */
  flush(): void;
}

export function createLogWriter(out: { write(text: string): unknown }): LogWriter {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = `${pending.join("\n")}\n`;
    pending = [];
    out.write(text);
  };
  return {
    write(line) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/**
 * A real SMTP server (the smtp-server package) that accepts every message and
 * records its envelope and Message-ID, for tests, the e2e suite and the bench.
 */
import { SMTPServer } from "smtp-server";

export type SunkMessage = { messageId: string; from: string; to: string[]; subject: string; raw: string; at: number };

export type SmtpSink = {
  url: string;
  port: number;
  messages: SunkMessage[];
  /** Message-IDs received more than once, with their count. */
  duplicates(): Map<string, number>;
  waitFor(predicate: (msgs: SunkMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  onMessage(cb: (m: SunkMessage) => void): void;
  close(): Promise<void>;
};

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const m = unfolded.match(new RegExp(`^${name}:\\s*(.*)$`, "im"));
  return m ? m[1].trim() : "";
}

export async function startSmtpSink(options: { port?: number; delayMs?: number } = {}): Promise<SmtpSink> {
  const messages: SunkMessage[] = [];
  const listeners: ((m: SunkMessage) => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    disableReverseLookup: true,
    name: "smtp-sink.test",
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const msg: SunkMessage = {
          messageId: header(raw, "Message-ID"),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: header(raw, "Subject"),
          raw,
          at: Date.now(),
        };
        const accept = () => {
          messages.push(msg);
          for (const l of listeners) l(msg);
          callback();
        };
        if (options.delayMs) setTimeout(accept, options.delayMs);
        else accept();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  // A client SIGKILLed mid-session resets its connection: that is what the crash tests do, not a failure of the sink.
  server.on("error", () => {});
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    duplicates() {
      const counts = new Map<string, number>();
      for (const m of messages) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
      return new Map([...counts].filter(([, n]) => n > 1));
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: condition not met within ${timeoutMs} ms (${messages.length} messages received)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    onMessage(cb) {
      listeners.push(cb);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

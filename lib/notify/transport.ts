/**
 * Where emails go: SMTP_URL through nodemailer, or, on the embedded default,
 * one .eml file per message under DATA_DIR/mail/ (named by Message-ID, so a
 * redelivery overwrites rather than duplicates).
 */
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import { env } from "@/lib/env";
import type { OutboxMessage } from "./outbox";

export type MailTransport = {
  send(msg: OutboxMessage, from: string): Promise<void>;
  describe: string;
  close(): void;
};

function mailOptions(msg: OutboxMessage, from: string) {
  return {
    from,
    to: msg.payload.to,
    subject: msg.payload.subject,
    text: msg.payload.text,
    html: msg.payload.html,
    messageId: msg.messageId,
    headers: { "X-ZDR-Notice-Id": msg.payload.noticeId },
  };
}

export function smtpTransport(url: string): MailTransport {
  // Short timeouts keep one send well inside the outbox lease.
  const t = nodemailer.createTransport(url, {
    pool: true,
    maxConnections: 2,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 8_000,
  } as never);
  return {
    describe: "SMTP",
    async send(msg, from) {
      await t.sendMail(mailOptions(msg, from));
    },
    close() {
      t.close();
    },
  };
}

export function fileTransport(dir: string): MailTransport {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    describe: `.eml files in ${dir}`,
    async send(msg, from) {
      const info = (await t.sendMail(mailOptions(msg, from))) as unknown as { message: Buffer };
      await fs.mkdir(dir, { recursive: true });
      const name = msg.messageId.replace(/[<>]/g, "").replace(/[^A-Za-z0-9.@_-]/g, "_");
      const file = path.join(dir, `${name}.eml`);
      await fs.writeFile(`${file}.tmp`, info.message);
      await fs.rename(`${file}.tmp`, file);
    },
    close() {},
  };
}

/** The transport the environment asks for. */
export function defaultTransport(): MailTransport {
  const e = env();
  return e.SMTP_URL ? smtpTransport(e.SMTP_URL) : fileTransport(path.join(e.DATA_DIR, "mail"));
}

/**
 * Where emails go: SMTP_URL through nodemailer, or, on the embedded default,
 * one .eml file per message under DATA_DIR/mail/ (named by Message-ID, so a
 * redelivery overwrites rather than duplicates).
 */
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import { env } from "@/lib/env";
import type { EmailMessage } from "./outbox";

export type MailTransport = {
  send(msg: EmailMessage, from: string): Promise<void>;
  describe: string;
  close(): void;
};

function mailOptions(msg: EmailMessage, from: string) {
  return {
    from,
    // MAIL_FROM may be a no-reply address: replies go to a mailbox someone reads.
    replyTo: env().SUPPORT_EMAIL,
    to: msg.payload.to,
    subject: msg.payload.subject,
    text: msg.payload.text,
    html: msg.payload.html,
    messageId: msg.messageId,
    headers: (msg.payload.noticeId ? { "X-ZDR-Notice-Id": msg.payload.noticeId } : {}) as Record<string, string>,
  };
}

export function smtpTransport(url: string): MailTransport {
  // The URL's parts become transport options (createTransport's second argument is message defaults, not these).
  const u = new URL(url);
  const secure = u.protocol === "smtps:";
  const t = nodemailer.createTransport({
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    // A kept-open connection saves the greeting (about 100 ms) on every message.
    pool: true,
    maxConnections: 2,
    // Short timeouts keep one send well inside the outbox lease.
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 8_000,
  });
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

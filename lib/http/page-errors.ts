/**
 * A domain 404 is the app's 404 page, wherever a page meets it: a page that
 * reads by an id from the URL awaits the read through orNotFound.
 */
import { notFound } from "next/navigation";
import { AppError } from "@/lib/errors";

export async function orNotFound<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
}

/** Runs once when the server starts: migrate (and seed the embedded demo world) before serving. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    await import("./lib/server-start");
  }
}

/** The first line of an error's message: what crosses an edge as a one-line reason. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

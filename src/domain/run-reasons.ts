/**
 * A run's reason as a user reads it. A run skipped because its routine was busy names the issue it was skipped
 * for through `linkedIssueId`; the text is rendered when the run is read, from that issue's identifier, so a
 * fire never needs the number of an issue that its own batch is still creating.
 */
export function runReason(run: { status: string; failureReason: string | null; linkedIssueId: string | null }, linkedIdentifier: string | null): string | null {
  if (run.failureReason !== null || run.status !== "skipped" || !run.linkedIssueId || !linkedIdentifier) return run.failureReason;
  return `Skipped: execution issue ${linkedIdentifier} is still open`;
}

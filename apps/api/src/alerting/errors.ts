/**
 * Typed errors of the alerting module, each with a stable `code` and a `retriable` flag.
 */

/** An alerting failure: bad configuration, a bad request, or a dependency that did not answer. */
export class AlertingError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AlertingError';
  }
}

/** One problem of a rule or receiver file: the file, the rule (or receiver/route) and the field it is about. */
export interface FileProblem {
  file: string;
  /** The rule's name (or `receivers[2]`, `routes[0]` ...), or `(file)` for the file as a whole. */
  rule: string;
  /** Dotted path of the field inside the rule, e.g. `expr.sql` or `for`. */
  field: string;
  message: string;
}

/** Rule or receiver files that failed validation at start; the message lists every problem as `file: rule: field: ...`. */
export class RuleFileError extends AlertingError {
  constructor(readonly problems: FileProblem[]) {
    super(`Invalid alerting configuration:\n  - ${problems.map((p) => `${p.file}: ${p.rule}: ${p.field}: ${p.message}`).join('\n  - ')}`, 'RULE_FILE_INVALID');
    this.name = 'RuleFileError';
  }
}

import { describeLocation } from "../formats/location.ts";
import type { Location, NormalisedSpan, RecordIssue, SpanSink } from "../formats/types.ts";

import { TaskError } from "../util/errors.ts";

/** One reported problem, as the result lists it. */
export interface IssueSample extends Location {
  message: string;
}

/** What the reader found; the inserting side adds `inserted` and `duplicates`. */
export interface ReadCounts {
  /** Valid span records read, duplicates included. */
  spans: number;
  /** Records skipped because of an error. */
  errors: number;
  warnings: number;
  traces: number;
  services: string[];
}

export const MAX_SAMPLES = 100;

/**
 * Collects what a reader finds: batches spans to the writer, counts traces,
 * services and duplicates, keeps up to 100 samples of errors and of warnings.
 * In strict mode the first error (or warning that strict mode refuses) throws.
 */
export class ImportSink implements SpanSink {
  readonly errorSamples: IssueSample[] = [];
  readonly warningSamples: IssueSample[] = [];
  private batch: NormalisedSpan[] = [];
  private readonly traceIds = new Set<string>();
  private readonly serviceNames = new Set<string>();
  private spans = 0;
  private errors = 0;
  private warnings = 0;

  constructor(
    readonly signal: AbortSignal,
    private readonly opts: {
      strict: boolean;
      batchSize: number;
      /** Takes the batch; the sink never touches it again. */
      write: (batch: NormalisedSpan[]) => void;
    },
  ) {}

  span(span: NormalisedSpan): void {
    this.spans++;
    this.traceIds.add(span.traceId);
    if (span.service !== null) this.serviceNames.add(span.service);
    this.batch.push(span);
    if (this.batch.length >= this.opts.batchSize) this.flush();
  }

  issue(issue: RecordIssue): void {
    const refused = issue.severity === "error" || (this.opts.strict && issue.strictError === true);
    const sample: IssueSample = { message: issue.message };
    if (issue.line !== undefined) sample.line = issue.line;
    if (issue.messageNumber !== undefined) sample.messageNumber = issue.messageNumber;
    if (issue.offset !== undefined) sample.offset = issue.offset;
    if (issue.path !== undefined) sample.path = issue.path;
    if (refused) {
      if (this.opts.strict) {
        const where = describeLocation(issue);
        throw new TaskError(
          `Strict import stopped at the first bad record${where ? ` (${where})` : ""}: ${issue.message}`,
          "strict=true refuses the whole file on its first bad record; nothing was kept. Import without strict to skip bad records and keep the rest.",
        );
      }
      this.errors++;
      if (this.errorSamples.length < MAX_SAMPLES) this.errorSamples.push(sample);
    } else {
      this.warnings++;
      if (this.warningSamples.length < MAX_SAMPLES) this.warningSamples.push(sample);
    }
  }

  /** Writes the held batch. The reader calls this between chunks as well. */
  flush(): void {
    if (this.batch.length === 0) return;
    this.signal.throwIfAborted();
    const batch = this.batch;
    this.batch = [];
    this.opts.write(batch);
  }

  get spanCount(): number {
    return this.spans;
  }

  counts(): ReadCounts {
    return {
      spans: this.spans,
      errors: this.errors,
      warnings: this.warnings,
      traces: this.traceIds.size,
      services: [...this.serviceNames].sort(),
    };
  }
}

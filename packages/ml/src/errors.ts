/** Errors raised by the models. Both are permanent: retrying the same file or the same input fails the same way. */

/** An artifact (or manifest) that cannot be read or fails validation; names the file and every problem found. */
export class ArtifactError extends Error {
  readonly code = 'ML_ARTIFACT_INVALID';
  readonly retriable = false;
  constructor(
    readonly file: string,
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`Invalid model artifact ${file}: ${problems.join('; ')}`, options);
    this.name = 'ArtifactError';
  }
}

/** Input a model cannot score: a missing or non-finite number, or a category it was not trained on. */
export class ModelInputError extends Error {
  readonly code = 'ML_INPUT_INVALID';
  readonly retriable = false;
  constructor(
    readonly model: string,
    readonly feature: string,
    detail: string,
  ) {
    super(`${model} model: feature ${feature} ${detail}`);
    this.name = 'ModelInputError';
  }
}

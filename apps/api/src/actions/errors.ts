/**
 * Errors of the replay and redrive engines, in the API's family (src/errors.ts), so routes/problem.ts maps them.
 */
import { ApiError } from '../errors';

/** 422: the request is well formed but cannot be carried out as asked (a selection over its limit, an unknown topic). */
export class UnprocessableError extends ApiError {
  readonly status = 422;
  readonly title = 'Unprocessable request';
  constructor(message: string, code = 'UNPROCESSABLE') {
    super(message, code);
  }
}

/**
 * The broker cannot do what the action needs (the librdkafka mock cluster answers ListOffsets by timestamp with the
 * end offset). Default status 501 with code `BROKER_UNSUPPORTED`; 409 when it depends on the group's state.
 */
export class BrokerUnsupportedError extends ApiError {
  readonly title = 'Not supported by this broker';
  constructor(
    message: string,
    readonly status: 409 | 501 = 501,
    code = 'BROKER_UNSUPPORTED',
  ) {
    super(message, code);
  }
}

/** 413: a request body over the size limit. Code `PAYLOAD_TOO_LARGE`. */
export class PayloadTooLargeError extends ApiError {
  readonly status = 413;
  readonly title = 'Payload too large';
  constructor(message: string) {
    super(message, 'PAYLOAD_TOO_LARGE');
  }
}

/** 415 (or 400) from the OTLP receiver, carried as an API problem. */
export class OtlpRequestError extends ApiError {
  readonly title = 'Cannot read the OTLP request';
  constructor(
    message: string,
    readonly status: 400 | 415,
    code: string,
  ) {
    super(message, code);
  }
}

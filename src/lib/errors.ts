/**
 * Expected failures carry a stable code, an HTTP status and a message a caseworker can read.
 * Anything else is a bug: the error handler logs it and shows a generic page.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 404);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}

export class ForbiddenError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 403);
  }
}

export class BadRequestError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 400);
  }
}

/** Form input that breaks a rule; the handler re-renders its own form with these field errors. */
export class ValidationError extends AppError {
  constructor(
    readonly fieldErrors: Record<string, string>,
    message = '请修改标出的内容后再保存。',
    code = 'VALIDATION_FAILED',
  ) {
    super(code, message, 422);
  }
}

// "Run one call, settle, pump on": the step BatchDriver and HeadQueue share. The call is an ObservableInput
// (a Promise works); its first value is the result.
import { from, take, type ObservableInput, type Subscription } from 'rxjs';

export interface OneCallHandlers<R> {
  result(result: R): void;
  error(error: unknown): void;
  /** Once per call, after result or error (also when `run` throws); never after `holder` is unsubscribed. */
  settled(): void;
}

/**
 * Runs `run()` inside `holder` (the caller registers it first: a call may settle synchronously);
 * unsubscribing `holder` cancels the call and its handlers. `noResult`, when given, is the error for a call
 * that completes without a value; without it such a call just settles.
 */
export function runOneCall<R>(
  holder: Subscription,
  run: () => ObservableInput<R>,
  on: OneCallHandlers<R>,
  noResult?: () => unknown,
): void {
  let settled = false;
  let delivered = false;
  const settle = (): void => {
    if (settled || holder.closed) return;
    settled = true;
    on.settled();
  };
  const fail = (error: unknown): void => {
    on.error(error);
    settle();
  };
  let input: ObservableInput<R>;
  try {
    input = run();
  } catch (error) {
    fail(error);
    return;
  }
  holder.add(
    from(input)
      .pipe(take(1))
      .subscribe({
        next: (result) => {
          delivered = true;
          on.result(result);
        },
        error: fail,
        complete: () => (delivered || noResult === undefined ? settle() : fail(noResult())),
      }),
  );
}

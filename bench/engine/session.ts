/** One Dagger session held open for a block of measurements, closed even when the block fails. */
import { connection } from "@dagger.io/dagger";

export async function inSession<T>(fn: () => Promise<T>): Promise<T> {
  let result: T | undefined;
  await connection(async () => {
    result = await fn();
  });
  return result as T;
}

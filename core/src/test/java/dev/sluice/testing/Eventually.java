package dev.sluice.testing;

import java.util.function.BooleanSupplier;

/** Waits for work on other threads to reach a state; for concurrency, not for the passage of time. */
public final class Eventually {
  private Eventually() {}

  public static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(2);
    }
  }
}

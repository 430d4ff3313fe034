package dev.sluice.testing;

import dev.sluice.delivery.Sleeper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records requested waits instead of sleeping. */
public final class FakeSleeper implements Sleeper {
  public final List<Duration> waits = new CopyOnWriteArrayList<>();

  @Override
  public void sleep(Duration duration) {
    waits.add(duration);
  }
}

package dev.sluice.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RunParametersTest {
  private static JsonNode delivery(int n) {
    return JsonNodeFactory.instance.objectNode().put("n", n);
  }

  @Test
  void singleParametersAreReadOnceAndNothingJoinsThem() {
    RunParameters p = RunParameters.single(delivery(1));
    assertThat(p.deliveries()).isFalse();
    assertThat(p.offer(delivery(2), 10)).isFalse();
    assertThat(p.next().get("n").asInt()).isEqualTo(1);
    assertThat(p.next()).isNull();
    assertThat(p.seal()).isEmpty();
  }

  @Test
  void deliveriesJoinUntilTheReaderFindsNoneLeft() {
    RunParameters p = RunParameters.delivery(delivery(1), 10, 100, 1_000);
    assertThat(p.offer(delivery(2), 10)).isTrue();
    assertThat(p.next().get("n").asInt()).isEqualTo(1);
    assertThat(p.offer(delivery(3), 10)).as("still reading: joins").isTrue();
    assertThat(p.next().get("n").asInt()).isEqualTo(2);
    assertThat(p.next().get("n").asInt()).isEqualTo(3);
    assertThat(p.next()).as("none left: sealed").isNull();
    assertThat(p.offer(delivery(4), 10)).isFalse();
    assertThat(p.count()).isEqualTo(3);
  }

  @Test
  void aRunCarriesAtMostMaxCountDeliveriesAndBoundsWhatWaits() {
    RunParameters counted = RunParameters.delivery(delivery(1), 1, 3, 1_000);
    assertThat(counted.offer(delivery(2), 1)).isTrue();
    assertThat(counted.offer(delivery(3), 1)).isTrue();
    assertThat(counted.offer(delivery(4), 1)).as("the fourth starts another run").isFalse();
    counted.next();
    assertThat(counted.offer(delivery(4), 1)).as("taken ones still count").isFalse();

    RunParameters sized = RunParameters.delivery(delivery(1), 600, 100, 1_000);
    assertThat(sized.offer(delivery(2), 500)).as("1,100 bytes would wait").isFalse();
    assertThat(sized.offer(delivery(2), 400)).isTrue();
    sized.next();
    assertThat(sized.offer(delivery(3), 500)).as("the taken 600 bytes no longer wait").isTrue();
  }

  @Test
  void sealingHandsBackWhatTheReaderDidNotTake() {
    RunParameters p = RunParameters.delivery(delivery(1), 1, 100, 1_000);
    p.offer(delivery(2), 1);
    p.offer(delivery(3), 1);
    p.next();
    assertThat(p.seal()).extracting(n -> n.get("n").asInt()).containsExactly(2, 3);
    assertThat(p.next()).isNull();
    assertThat(p.offer(delivery(4), 1)).isFalse();
    assertThatThrownBy(() -> RunParameters.delivery(delivery(1), 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(30)
  void everyAcceptedDeliveryIsEitherReadOrHandedBackUnderConcurrency() throws Exception {
    for (int round = 0; round < 50; round++) {
      RunParameters p = RunParameters.delivery(delivery(0), 1, 100_000, Long.MAX_VALUE);
      AtomicInteger accepted = new AtomicInteger(1);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread s = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < 500; i++) {
            if (p.offer(delivery(i), 1)) {
              accepted.incrementAndGet();
            }
          }
        });
        s.start();
        senders.add(s);
      }
      go.countDown();
      int read = 0;
      for (int i = 0; i < 300 && p.next() != null; i++) {
        read++;
      }
      List<JsonNode> handedBack = p.seal();
      for (Thread s : senders) {
        s.join();
      }
      assertThat(read + handedBack.size()).isEqualTo(accepted.get());
    }
  }
}

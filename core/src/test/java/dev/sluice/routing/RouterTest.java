package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static Record order(String key, int amount) {
    ObjectNode data = F.objectNode().put("amount", amount);
    return Record.of(key, data);
  }

  private static RoutingRule rule(String name, String when, List<Transform> transforms, String... to) {
    return new RoutingRule(name, when, when == null ? Condition.ALWAYS : Conditions.compile(when), 0, transforms,
        List.of(to), false);
  }

  private static final Transform FAILS_ON_BIG = new Transform() {
    @Override
    public List<Record> apply(Record record) {
      if (record.data().get("amount").asInt() > 100) {
        throw new RoutingException("too big to transform");
      }
      return List.of(record);
    }
  };

  private final Router router = new Router(
      List.of(rule("first", null, List.of(), "a", "b"), rule("second", "$.amount > 10", List.of(FAILS_ON_BIG), "c")),
      List.of(), Map.of("a", 0, "b", 1, "c", 2));

  @Test
  void aLaterRuleFailingHandsNothingOutAndCountsNoMatch() {
    List<String> handedOut = new ArrayList<>();
    long[] matches = new long[2];
    Router.Scratch scratch = new Router.Scratch();

    assertThatThrownBy(() -> router.route(order("k1", 500), scratch,
        (d, r, o) -> handedOut.add(router.destinations().get(d) + ":" + r.key()), matches))
        .isInstanceOf(RoutingException.class)
        .hasMessageContaining("rule 'second', transform 1");

    assertThat(handedOut).isEmpty();
    assertThat(matches).containsExactly(0, 0);
  }

  @Test
  void aScratchBufferIsReusedAcrossRecordsAndAfterAnError() throws Exception {
    List<String> handedOut = new ArrayList<>();
    long[] matches = new long[2];
    Router.Scratch scratch = new Router.Scratch();
    Router.RouteSink sink = (d, r, o) -> handedOut.add(router.destinations().get(d) + ":" + r.key()
        + (o == null ? "" : "<-" + o.key()));

    assertThat(router.route(order("k1", 5), scratch, sink, matches)).isEqualTo(1);
    assertThatThrownBy(() -> router.route(order("k2", 500), scratch, sink, matches))
        .isInstanceOf(RoutingException.class);
    assertThat(router.route(order("k3", 50), scratch, sink, matches)).isEqualTo(2);

    assertThat(handedOut).containsExactly("a:k1", "b:k1", "a:k3", "b:k3", "c:k3<-k3");
    assertThat(matches).containsExactly(2, 1);
  }

  @Test
  void aFanOutWiderThanTheBufferGrowsIt() throws Exception {
    List<RoutingRule> rules = new ArrayList<>();
    Map<String, Integer> index = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      index.put("d" + i, i);
      rules.add(rule("r" + i, null, List.of(), "d" + i));
    }
    Router wide = new Router(rules, List.of(), index);
    List<Integer> handedOut = new ArrayList<>();

    assertThat(wide.route(order("k1", 1), new Router.Scratch(), (d, r, o) -> handedOut.add(d), new long[20]))
        .isEqualTo(20);

    assertThat(handedOut).hasSize(20).doesNotHaveDuplicates();
  }
}

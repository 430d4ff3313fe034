package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.internal.Json;
import dev.sluice.record.Record;
import dev.sluice.delivery.ReplayReport;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.routing.RecordTrace;
import dev.sluice.routing.Transforms;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.Rule;
import dev.sluice.spi.RuleProvider;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RulesEngineTest {
  private static final ObjectMapper MAPPER = Json.newMapper();
  private final InMemoryStore store = new InMemoryStore();
  private final RecordingDestination gold = new RecordingDestination();
  private final RecordingDestination all = new RecordingDestination();

  private Sluice.Builder builder() {
    return Sluice.builder().store(store).destination("gold", gold).destination("all", all);
  }

  @Test
  void oneRoutesTransformationNeverLeaksIntoAnother() throws Exception {
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(6, 3))
            .route(r -> r.name("tiering").when("$.country == 'DE'")
                .transform(Transforms.set("$.tier", MAPPER.getNodeFactory().textNode("gold")))
                .transform(Transforms.remove(List.of("$.amount")))
                .to("gold"))
            .route(r -> r.name("everything").to("all")))
        .build()) {
      sluice.run("orders");
    }
    assertThat(gold.received).allSatisfy(rec -> {
      assertThat(rec.data().get("tier").asText()).isEqualTo("gold");
      assertThat(rec.data().has("amount")).isFalse();
    });
    assertThat(all.received).hasSize(6).allSatisfy(rec -> {
      assertThat(rec.data().has("tier")).isFalse();
      assertThat(rec.data().has("amount")).isTrue();
    });
  }

  @Test
  void aFailingTransformDeadLettersTheRecordWithTheRuleAndStep() throws Exception {
    var castCountry = MAPPER.readTree("{\"cast\": {\"path\": \"$.country\", \"to\": \"number\"}}");
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(3, 3))
            .route(r -> r.name("typed")
                .transform(castCountry)
                .to("all")))
        .pipeline("strict", p -> p.source(ListConnector.of(3, 3)).onError(ErrorPolicy.FAIL)
            .route(r -> r.name("typed")
                .transform(castCountry)
                .to("all")))
        .build()) {
      RunReport lenient = sluice.run("orders");
      assertThat(lenient.routingErrors()).isEqualTo(3);
      assertThat(store.deadLetters().list(DeadLetterQuery.of("orders", DeadLetter.ROUTER)))
          .hasSize(3)
          .first().satisfies(d -> assertThat(d.reason())
              .isEqualTo("rule 'typed', transform 1 (cast $.country to number): cast $.country to number: string \"AT\" is not a number"));

      RunReport strict = sluice.run("strict");
      assertThat(strict.status()).isEqualTo(RunStatus.FAILED);
      assertThat(strict.error()).hasValueSatisfying(e -> assertThat(e).contains("record 'k1'").contains("rule 'typed'"));
    }
    assertThat(all.received).isEmpty();
  }

  /** A rule plugin: matches even ids, and as a step adds a checksum. */
  public static final class EvenProvider implements RuleProvider {
    @Override
    public String type() {
      return "even-id";
    }

    @Override
    public Rule create(PluginConfig config, PluginContext context) {
      String field = config.string("field", "checksum");
      return new Rule() {
        @Override
        public boolean matches(Record record) {
          return record.data().get("id").asLong() % 2 == 0;
        }

        @Override
        public List<Record> apply(Record record) {
          ObjectNode copy = record.data().deepCopy();
          copy.put(field, record.data().get("id").asLong() * 7);
          return List.of(record.withData(copy));
        }
      };
    }
  }

  @Test
  void customRulePluginsServeAsConditionsAndSteps() throws Exception {
    try (Sluice sluice = builder().provider(new EvenProvider())
        .pipeline("orders", p -> p.source(ListConnector.of(4, 4))
            .route(r -> {
              try {
                r.name("even").when(MAPPER.readTree("{\"all\": [{\"rule\": \"even-id\"}, \"$.amount > 10\"]}"))
                    .transform(MAPPER.readTree("{\"custom\": {\"type\": \"even-id\", \"field\": \"sum\"}}"))
                    .to("gold");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            }))
        .build()) {
      sluice.run("orders");
    }
    assertThat(gold.received).extracting(Record::key).containsExactly("k2", "k4");
    assertThat(gold.received).extracting(rec -> rec.data().get("sum").asLong()).containsExactly(14L, 28L);
  }

  @Test
  void previewTracesEveryRuleWithOperandValuesWithoutDelivering() throws Exception {
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(1, 1)).otherwise("all")
            .route(r -> r.name("big").priority(1).when("$.amount > 1000 && $.country in ['DE','AT']")
                .transform(Transforms.set("$.tier", MAPPER.getNodeFactory().textNode("gold"))).to("gold").stop())
            .route(r -> r.name("german").priority(2).when("$.country == 'DE'").to("all")))
        .build()) {
      Record bigGerman = Record.of("o1", (ObjectNode) MAPPER.readTree("{\"amount\": 5000, \"country\": \"DE\"}"));
      Record small = Record.of("o2", (ObjectNode) MAPPER.readTree("{\"amount\": 10, \"country\": \"FR\"}"));

      List<RecordTrace> traces = sluice.preview("orders", List.of(bigGerman, small));

      RecordTrace first = traces.get(0);
      assertThat(first.outcome()).isEqualTo(RecordTrace.Outcome.MATCHED);
      assertThat(first.rules()).extracting(RecordTrace.RuleEvaluation::status)
          .containsExactly(RecordTrace.Status.MATCHED, RecordTrace.Status.SKIPPED);
      assertThat(first.rules().get(0).comparisons()).extracting(c -> c.leftValue().toString())
          .containsExactly("5000", "\"DE\"");
      assertThat(first.rules().get(0).outputs().get(0).get("tier").asText()).isEqualTo("gold");
      assertThat(first.deliveries()).extracting(RecordTrace.Delivery::destination).containsExactly("gold");

      RecordTrace second = traces.get(1);
      assertThat(second.outcome()).isEqualTo(RecordTrace.Outcome.OTHERWISE);
      assertThat(second.rules()).extracting(RecordTrace.RuleEvaluation::status)
          .containsExactly(RecordTrace.Status.NOT_MATCHED, RecordTrace.Status.NOT_MATCHED);
      assertThat(second.deliveries()).extracting(RecordTrace.Delivery::destination).containsExactly("all");

      assertThat(first.render()).contains("rule big  when $.amount > 1000 && $.country in ['DE','AT']  -> matched (stop)")
          .contains("$.amount = 5000  > 1000  => true")
          .contains("rule german  when $.country == 'DE'  -> skipped");
      assertThat(second.toJson().get("outcome").asText()).isEqualTo("OTHERWISE");
      assertThat(second.toJson().at("/rules/0/comparisons/0/leftValue").asInt()).isEqualTo(10);
    }
    assertThat(gold.received).as("preview delivers nothing").isEmpty();
    assertThat(all.received).isEmpty();
    assertThat(store.runs().list(null, 10)).as("and starts no run").isEmpty();
  }

  // --- all-or-nothing routing and the replay of routing failures (issue 10, defect 1) ----------

  private static final String CAST_COUNTRY = "{\"cast\": {\"path\": \"$.country\", \"to\": \"number\"}}";
  private static final String CAST_AMOUNT = "{\"cast\": {\"path\": \"$.amount\", \"to\": \"string\"}}";

  /** Rule 1 sends everything to 'all'; rule 2 transforms with {@code step} and sends to 'gold'. */
  private Sluice twoRules(String step, UnmatchedPolicy unmatched) throws Exception {
    var spec = MAPPER.readTree(step);
    return builder()
        .pipeline("orders", p -> p.source(ListConnector.of(1, 1)).unmatched(unmatched)
            .route(r -> r.name("everything").to("all"))
            .route(r -> r.name("typed").transform(spec).to("gold")))
        .build();
  }

  @Test
  void aLaterRuleFailingDeliversNothingForTheRecordAndTheReplayAfterTheFixDeliversIt() throws Exception {
    try (Sluice broken = twoRules(CAST_COUNTRY, UnmatchedPolicy.DROP)) {
      RunReport report = broken.run("orders");

      assertThat(report.routingErrors()).isEqualTo(1);
      assertThat(all.received).as("rule 1's destination gets nothing: routing is all or nothing").isEmpty();
      assertThat(gold.received).isEmpty();
      assertThat(store.deadLetters().list(DeadLetterQuery.all())).singleElement().satisfies(d -> {
        assertThat(d.destination()).isEqualTo(DeadLetter.ROUTER);
        assertThat(d.recordKey()).isEqualTo("k1");
        assertThat(d.reason()).startsWith("rule 'typed', transform 1 (cast $.country to number)");
      });

      RecordTrace trace = broken.preview("orders", List.of(Record.of("k1", ListConnector.order(1)))).get(0);
      assertThat(trace.outcome()).isEqualTo(RecordTrace.Outcome.ERROR);
      assertThat(trace.error()).contains("rule 'typed'");
      assertThat(trace.deliveries()).isEmpty();
      assertThat(trace.rules()).extracting(RecordTrace.RuleEvaluation::status)
          .containsExactly(RecordTrace.Status.MATCHED, RecordTrace.Status.ERROR);
    }

    try (Sluice fixed = twoRules(CAST_AMOUNT, UnmatchedPolicy.DROP)) {
      ReplayReport replay = fixed.deadLetters().replay(DeadLetterQuery.of("orders", DeadLetter.ROUTER));

      assertThat(replay.selected()).isEqualTo(1);
      assertThat(replay.delivered()).isEqualTo(1);
      assertThat(all.receivedKeys()).containsExactly("k1");
      assertThat(gold.receivedKeys()).containsExactly("k1");
      assertThat(gold.received.get(0).data().get("amount").isTextual()).as("the fixed rule's transform ran").isTrue();
      assertThat(all.batches.get(0).idempotencyKey(0))
          .as("the same idempotency key as a run's delivery")
          .isEqualTo(IdempotencyKeys.of("orders", "k1"));
      assertThat(store.deadLetters().list(DeadLetterQuery.all())).isEmpty();
    }
  }

  @Test
  void aReplayedRoutingFailureThatFailsAgainStaysWithTheNewReason() throws Exception {
    try (Sluice broken = twoRules(CAST_COUNTRY, UnmatchedPolicy.DROP)) {
      broken.run("orders");
      long id = store.deadLetters().list(DeadLetterQuery.all()).get(0).id();
      try (Sluice stillBroken = twoRules("{\"cast\": {\"path\": \"$.country\", \"to\": \"boolean\"}}",
          UnmatchedPolicy.DROP)) {
        ReplayReport replay = stillBroken.deadLetters().replay(DeadLetterQuery.all());

        assertThat(replay.failedAgain()).isEqualTo(1);
        assertThat(replay.problems()).singleElement().satisfies(p -> assertThat(p).contains("failed routing again"));
        assertThat(store.deadLetters().list(DeadLetterQuery.all())).singleElement().satisfies(d -> {
          assertThat(d.id()).isEqualTo(id);
          assertThat(d.destination()).isEqualTo(DeadLetter.ROUTER);
          assertThat(d.reason()).contains("cast $.country to boolean");
        });
        assertThat(all.received).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(UnmatchedPolicy.class)
  void aReplayedRoutingFailureThatMatchesNoRuleNowIsSettledByTheUnmatchedPolicy(UnmatchedPolicy policy) throws Exception {
    try (Sluice broken = twoRules(CAST_COUNTRY, policy)) {
      broken.run("orders");
    }
    try (Sluice noMatch = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(1, 1)).unmatched(policy)
            .route(r -> r.name("none").when("$.amount > 1000000").to("all")))
        .build()) {
      ReplayReport replay = noMatch.deadLetters().replay(DeadLetterQuery.all());

      assertThat(replay.selected()).isEqualTo(1);
      if (policy == UnmatchedPolicy.DEAD_LETTER) {
        assertThat(store.deadLetters().list(DeadLetterQuery.all())).singleElement()
            .satisfies(d -> assertThat(d.reason()).isEqualTo("no rule matched"));
      } else {
        assertThat(store.deadLetters().list(DeadLetterQuery.all())).isEmpty();
      }
    }
    assertThat(all.received).isEmpty();
  }

  @Test
  void aReplayedRoutingFailureWhoseResultFailsAtItsDestinationIsParkedThereWithTheOriginal() throws Exception {
    try (Sluice broken = twoRules(CAST_COUNTRY, UnmatchedPolicy.DROP)) {
      broken.run("orders");
    }
    gold.behave((batch, call) -> {
      throw DeliveryException.permanent("HTTP 422");
    });
    try (Sluice fixed = twoRules(CAST_AMOUNT, UnmatchedPolicy.DROP)) {
      ReplayReport replay = fixed.deadLetters().replay(DeadLetterQuery.all());

      assertThat(replay.selected()).isEqualTo(1);
      assertThat(replay.failedAgain()).isEqualTo(1);
      assertThat(all.receivedKeys()).containsExactly("k1");
      assertThat(store.deadLetters().list(DeadLetterQuery.all())).singleElement().satisfies(d -> {
        assertThat(d.destination()).isEqualTo("gold");
        assertThat(d.reason()).contains("HTTP 422");
        assertThat(d.record().at("/data/amount").isTextual()).isTrue();
        assertThat(d.original().at("/data/amount").isNumber()).isTrue();
      });
    }
  }
}

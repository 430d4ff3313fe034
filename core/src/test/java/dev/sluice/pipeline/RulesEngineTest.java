package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.internal.Json;
import dev.sluice.record.Record;
import dev.sluice.routing.RecordTrace;
import dev.sluice.routing.Transforms;
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
}

package dev.sluice.destinations.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.notify.TestContext;
import dev.sluice.destinations.slack.SlackStub.Answer;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.store.MissingStoreCapabilityException;
import dev.sluice.store.CheckpointStore;
import dev.sluice.store.DeadLetterStore;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RunStore;
import dev.sluice.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SlackDestinationTest {
  private SlackStub stub;
  private TestContext context;
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws Exception {
    stub = new SlackStub();
    context = new TestContext("deals-slack");
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private Map<String, Object> options(Object... more) {
    Map<String, Object> o = new HashMap<>(Map.of("token", SlackStub.TOKEN, "baseUrl", stub.apiBase(),
        "channel", "#sales"));
    for (int i = 0; i < more.length; i += 2) {
      if (more[i + 1] == null) {
        o.remove((String) more[i]);
      } else {
        o.put((String) more[i], more[i + 1]);
      }
    }
    return o;
  }

  private SlackDestination create(Map<String, Object> options) {
    return SlackDestinationProvider.create(PluginConfig.of("destination 'deals-slack' (type slack)", options),
        context, d -> {
          sleeps.add(d);
          context.clock().advance(d);
        }, null);
  }

  private static Record deal(int id, String name, double amount) {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("id", id).put("name", name).put("amount", amount);
    return Record.of("deal-" + id, data);
  }

  private static Batch batch(Record... records) {
    return Batch.of("hubspot-deals", "deals-slack", "run-1", List.of(records));
  }

  @Test
  void escapesRecordValuesSoDataCanNotMentionOrLinkButTheTemplateCan() throws Exception {
    SlackDestination d = create(options("text", "<!here> New deal *{{record.name}}*: <https://crm.example/deals/{{record.id}}|open>"));
    String evil = "<!channel> & <@U0123> <https://evil.example|click me> <!subteam^S1>";

    assertThat(d.deliver(batch(deal(7, evil, 1)))).matches(DeliveryResult::isSuccess);

    String text = stub.accepted().get(0).text();
    assertThat(text).isEqualTo("<!here> New deal *&lt;!channel&gt; &amp; &lt;@U0123&gt; "
        + "&lt;https://evil.example|click me&gt; &lt;!subteam^S1&gt;*: <https://crm.example/deals/7|open>");
    // Only the template's own markup opens a '<'.
    assertThat(text.split("<", -1)).hasSize(3);
    JsonNode body = stub.accepted().get(0).body();
    assertThat(body.path("parse").asText()).isEqualTo("none");
    assertThat(body.path("link_names").asBoolean(true)).isFalse();
    assertThat(body.path("unfurl_links").asBoolean(true)).isFalse();
    assertThat(stub.accepted().get(0).authorization()).isEqualTo("Bearer " + SlackStub.TOKEN);
  }

  @Test
  void blockKitTemplatesEscapeForMrkdwnAndJson() throws Exception {
    SlackDestination d = create(options("text", "Deal {{record.name}}", "blocks",
        "[{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":\"{{record.name}}\"}},"
            + "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"*Amount:* {{#number}}{{record.amount}}{{/number}}\"}}]"));
    String tricky = "Quote \" backslash \\ newline \n <!channel> " + "y".repeat(200);

    assertThat(d.deliver(batch(deal(1, tricky, 12345.5)))).matches(DeliveryResult::isSuccess);

    JsonNode blocks = stub.accepted().get(0).body().path("blocks");
    String header = blocks.get(0).path("text").path("text").asText();
    assertThat(header).startsWith("Quote \" backslash \\ newline \n &lt;!channel&gt; yyy")
        .hasSize(SlackDestination.MAX_HEADER_TEXT).endsWith("…");
    assertThat(blocks.get(1).path("text").path("text").asText()).isEqualTo("*Amount:* 12,345.5");
  }

  @Test
  void aBlocksTemplateThatDataBreaksFailsThatRecordPermanently() throws Exception {
    // Valid JSON for a record without 'extra' (checked at start-up), broken by one that has it.
    SlackDestination d = create(options("text", null, "blocks",
        "[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"x\"}}{{#record.extra}},{\"bad\"{{/record.extra}}]"));
    ObjectNode weird = JsonNodeFactory.instance.objectNode().put("amount", 1).put("extra", true);
    DeliveryResult r = d.deliver(batch(deal(1, "ok", 5), Record.of("weird", weird)));
    assertThat(r.failures()).containsOnlyKeys(1);
    assertThat(r.failures().get(1).retryable()).isFalse();
    assertThat(r.failures().get(1).reason()).contains("option 'blocks'").contains("JSON");
    assertThat(stub.accepted()).hasSize(1);
  }

  @Test
  void aDigestListsUpToTheLimitAndCountsTheRest() throws Exception {
    SlackDestination d = create(options("mode", "digest", "digestLimit", 3, "text",
        "{{count}} new deals over $10k:\n{{#records}}• {{record.name}} ({{#number}}{{record.amount}}{{/number}})\n"
            + "{{/records}}{{#more}}and {{more}} more{{/more}}"));
    List<Record> records = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      records.add(deal(i, "Deal " + i, 10_000 + i * 1000.25));
    }
    assertThat(d.deliver(Batch.of("p", "deals-slack", "r", records))).matches(DeliveryResult::isSuccess);

    assertThat(stub.accepted()).hasSize(1);
    assertThat(stub.accepted().get(0).text()).isEqualTo("12 new deals over $10k:\n• Deal 1 (11,000.25)\n"
        + "• Deal 2 (12,000.5)\n• Deal 3 (13,000.75)\nand 9 more");
  }

  @Test
  void aDigestWithoutMoreSkipsTheMoreSectionAndGoesOncePerChannel() throws Exception {
    SlackDestination d = create(options("mode", "digest", "channelFrom", "team", "text",
        "{{count}}:{{#records}} {{record.name}}{{/records}}{{#more}} and {{more}} more{{/more}}"));
    Record a = Record.of("a", JsonNodeFactory.instance.objectNode().put("name", "A").put("team", "#alerts"));
    Record b = Record.of("b", JsonNodeFactory.instance.objectNode().put("name", "B"));
    Record c = Record.of("c", JsonNodeFactory.instance.objectNode().put("name", "C").put("team", "#alerts"));

    assertThat(d.deliver(batch(a, b, c))).matches(DeliveryResult::isSuccess);

    assertThat(stub.accepted()).extracting(SlackStub.Post::channel, SlackStub.Post::text)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("#alerts", "2: A C"),
            org.assertj.core.groups.Tuple.tuple("#sales", "1: B"));
  }

  @Test
  void classifiesSlackErrorsAsDocumented() throws Exception {
    Map<String, Boolean> retryable = Map.of("channel_not_found", false, "not_in_channel", false,
        "msg_too_long", false, "invalid_auth", false, "ratelimited", true, "internal_error", true);
    for (Map.Entry<String, Boolean> e : retryable.entrySet()) {
      SlackDestination d = create(options("text", "{{record.name}}"));
      stub.script(Answer.json("{\"ok\":false,\"error\":\"" + e.getKey() + "\"}"));
      DeliveryResult r = d.deliver(batch(deal(1, "one-" + e.getKey(), 1)));
      assertThat(r.failures()).as(e.getKey()).containsOnlyKeys(0);
      assertThat(r.failures().get(0).retryable()).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(r.failures().get(0).reason()).as(e.getKey()).contains(e.getKey()).contains("#sales")
          .doesNotContain(SlackStub.TOKEN);
    }
  }

  @Test
  void anAuthFailureFailsTheRestOfTheBatchWithoutTryingIt() throws Exception {
    String wrongToken = "wrong-token-" + java.util.UUID.randomUUID();
    SlackDestination d = create(options("text", "{{record.name}}", "token", wrongToken));
    DeliveryResult r = d.deliver(batch(deal(1, "a", 1), deal(2, "b", 2), deal(3, "c", 3)));
    assertThat(r.failures()).containsOnlyKeys(0, 1, 2);
    assertThat(r.failures().values()).allSatisfy(f -> {
      assertThat(f.retryable()).isFalse();
      assertThat(f.reason()).contains("invalid_auth").doesNotContain(wrongToken);
    });
    assertThat(stub.requests()).as("one try, not three").hasSize(1);
  }

  @Test
  void aChannelErrorFailsOnlyThatRecord() throws Exception {
    SlackDestination d = create(options("text", "{{record.name}}", "channelFrom", "channel"));
    Record lost = Record.of("x", JsonNodeFactory.instance.objectNode().put("name", "x").put("channel", "#gone"));
    Record bad = Record.of("y", JsonNodeFactory.instance.objectNode().put("name", "y").put("channel", "<!channel>"));
    DeliveryResult r = d.deliver(batch(deal(1, "a", 1), lost, bad, deal(2, "b", 2)));
    assertThat(r.failures()).containsOnlyKeys(1, 2);
    assertThat(r.failures().get(1).reason()).contains("channel_not_found").contains("#gone");
    assertThat(r.failures().get(2).reason()).contains("record field 'channel' is not a Slack channel");
    assertThat(r.failures().values()).noneMatch(DeliveryResult.RecordFailure::retryable);
    assertThat(stub.accepted()).extracting(SlackStub.Post::text).containsExactly("a", "b");
  }

  @Test
  void honoursRetryAfterOn429AndRetriesOnlyWhatWasNotPosted() throws Exception {
    SlackDestination d = create(options("text", "{{record.name}}", "minInterval", "0s"));
    Batch b = batch(deal(1, "a", 1), deal(2, "b", 2), deal(3, "c", 3));
    stub.script(Answer.json("{\"ok\":true}"), new Answer(429, Map.of("Retry-After", "30"), "{\"ok\":false,"
        + "\"error\":\"ratelimited\"}"));

    DeliveryResult first = d.deliver(b);
    assertThat(first.failures()).containsOnlyKeys(1, 2);
    assertThat(first.failures().values()).allSatisfy(f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.retryAfterHint()).contains(Duration.ofSeconds(30));
    });
    assertThat(stub.requests()).as("stopped at the 429").hasSize(2);

    DeliveryResult again = d.deliver(b.nextAttempt());
    assertThat(again.isSuccess()).isTrue();
    assertThat(sleeps).as("the channel was held for Retry-After").containsExactly(Duration.ofSeconds(30));
    assertThat(stub.accepted()).extracting(SlackStub.Post::text).as("record 1 was posted before the 429")
        .containsExactly("b", "c");
  }

  @Test
  void pacesPostsToOneChannelAtOnePerSecond() throws Exception {
    SlackDestination d = create(options("text", "{{record.name}}", "channelFrom", "channel"));
    Record other = Record.of("o", JsonNodeFactory.instance.objectNode().put("name", "o").put("channel", "#alerts"));
    assertThat(d.deliver(batch(deal(1, "a", 1), deal(2, "b", 2), other, deal(3, "c", 3)))).matches(
        DeliveryResult::isSuccess);
    assertThat(sleeps).as("#sales waits 1s before its 2nd and 3rd post, #alerts not at all")
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void aBatchDeliveredAgainPostsNothingTwiceButChangedRecordsPostAgain() throws Exception {
    SlackDestination d = create(options("text", "{{record.name}} {{record.amount}}"));
    d.deliver(batch(deal(1, "a", 1), deal(2, "b", 2)));
    d.deliver(batch(deal(1, "a", 1), deal(2, "b", 2)).nextAttempt());
    d.deliver(Batch.of("hubspot-deals", "deals-slack", "replay-run", List.of(deal(1, "a", 1))));
    assertThat(stub.accepted()).hasSize(2);

    d.deliver(batch(deal(2, "b", 99)));
    assertThat(stub.accepted()).extracting(SlackStub.Post::text).containsExactly("a 1.0", "b 2.0", "b 99.0");
  }

  @Test
  void aDigestOfRecordsPartlySentBeforeListsOnlyTheNewOnes() throws Exception {
    SlackDestination d = create(options("mode", "digest", "text", "{{count}}:{{#records}} {{record.name}}{{/records}}"));
    d.deliver(batch(deal(1, "a", 1), deal(2, "b", 2)));
    d.deliver(batch(deal(1, "a", 1), deal(2, "b", 2), deal(3, "c", 3)));
    d.deliver(batch(deal(1, "a", 1)));
    assertThat(stub.accepted()).extracting(SlackStub.Post::text).containsExactly("2: a b", "1: c");
  }

  @Test
  void theSentLogForgetsAfterTheRetention() throws Exception {
    SlackDestination d = create(options("text", "{{record.name}}", "dedupRetention", "1d"));
    d.deliver(batch(deal(1, "a", 1)));
    context.clock().advance(Duration.ofHours(23));
    d.finishRun(new dev.sluice.spi.RunInfo("hubspot-deals", "run-1", context.clock().instant()), true);
    d.deliver(batch(deal(1, "a", 1)));
    assertThat(stub.accepted()).as("still remembered after 23 hours").hasSize(1);

    context.clock().advance(Duration.ofHours(2));
    d.finishRun(new dev.sluice.spi.RunInfo("hubspot-deals", "run-2", context.clock().instant()), true);
    d.deliver(batch(deal(1, "a", 1)));
    assertThat(stub.accepted()).as("forgotten after the retention: posted again").hasSize(2);
  }

  @Test
  void withoutDedupEveryDeliveryPosts() throws Exception {
    SlackDestination d = create(options("text", "{{record.name}}", "dedup", false));
    d.deliver(batch(deal(1, "a", 1)));
    d.deliver(batch(deal(1, "a", 1)));
    assertThat(stub.accepted()).hasSize(2);
  }

  @Test
  void dedupNeedsAStoreWithASentLog() {
    Store bare = new Store() {
      private final InMemoryStore inner = new InMemoryStore();

      @Override
      public CheckpointStore checkpoints() {
        return inner.checkpoints();
      }

      @Override
      public RunStore runs() {
        return inner.runs();
      }

      @Override
      public DeadLetterStore deadLetters() {
        return inner.deadLetters();
      }

      @Override
      public String toString() {
        return "BareStore";
      }
    };
    context = new TestContext("deals-slack", bare);
    assertThatThrownBy(() -> create(options("text", "x"))).isInstanceOf(MissingStoreCapabilityException.class)
        .hasMessageContaining("sent-log").hasMessageContaining("BareStore").hasMessageContaining("dedup: false");
    assertThat(create(options("text", "x", "dedup", false))).isNotNull();
  }

  @Test
  void cutsTextToTheLimit() throws Exception {
    SlackDestination d = create(options("text", "{{record.name}}"));
    d.deliver(batch(deal(1, "z".repeat(50_000), 1)));
    assertThat(stub.accepted().get(0).text()).hasSize(40_000).endsWith("…");
  }

  @Test
  void incomingWebhookPostsWithoutChannelAndKeepsItsUrlSecret() throws Exception {
    SlackDestination d = create(Map.of("webhookUrl", stub.webhookUrl(), "text", "Hello {{record.name}}"));
    assertThat(d.deliver(batch(deal(1, "<b>", 1)))).matches(DeliveryResult::isSuccess);
    SlackStub.Post p = stub.accepted().get(0);
    assertThat(p.path()).isEqualTo(SlackStub.WEBHOOK_PATH);
    assertThat(p.body().has("channel")).isFalse();
    assertThat(p.text()).isEqualTo("Hello &lt;b&gt;");

    stub.script(new Answer(404, Map.of(), "no_service"));
    DeliveryResult gone = d.deliver(batch(deal(2, "b", 1), deal(3, "c", 1)));
    assertThat(gone.failures()).containsOnlyKeys(0, 1);
    assertThat(gone.failures().values()).allSatisfy(f -> assertThat(f.retryable()).isFalse());
    assertThat(gone.failures().get(0).reason()).contains("404").contains("no_service");

    stub.script(new Answer(500, Map.of(), "rollup_error"));
    assertThat(d.deliver(batch(deal(4, "d", 1))).failures().get(0).retryable()).isTrue();

    stub.close(); // nothing listens: a connection error, whose text must not show the URL
    DeliveryResult down = d.deliver(batch(deal(5, "e", 1)));
    assertThat(down.failures().get(0).retryable()).isTrue();
    String secretPart = "WebhookSecretPart42";
    assertThat(down.failures().get(0).reason()).doesNotContain(secretPart);
    assertThat(d.toString()).doesNotContain(secretPart).doesNotContain("127.0.0.1");
    Throwable bad = catchThrowable(() -> create(Map.of("webhookUrl", "ftp://hooks/" + secretPart, "text", "x")));
    assertThat(bad).isInstanceOf(PluginConfigException.class).hasMessageContaining("webhookUrl")
        .hasMessageNotContaining(secretPart);
  }

  @Test
  void theTokenNeverShows() throws Exception {
    SlackDestination d = create(options("text", "x"));
    assertThat(d.toString()).doesNotContain(SlackStub.TOKEN).contains("deals-slack");
    PluginConfig config = PluginConfig.of("destination 'deals-slack' (type slack)", options("text", "x"));
    assertThat(config.toString()).doesNotContain(SlackStub.TOKEN);
    Throwable bad = catchThrowable(() -> create(options("token", "token has space", "text", "x")));
    assertThat(bad).hasMessageContaining("token").hasMessageNotContaining("token has space");
    stub.outage = true;
    DeliveryResult r = d.deliver(batch(deal(1, "a", 1)));
    assertThat(r.failures().get(0).retryable()).isTrue();
    assertThat(r.failures().get(0).reason()).contains("503").doesNotContain(SlackStub.TOKEN);
  }

  @Test
  void templatesAreValidatedAtConfigurationTimeWithTheLine() {
    assertThatThrownBy(() -> create(options("text", "Deal\n{{#record}}{{name}}\n")))
        .isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("destination 'deals-slack' (type slack): option 'text'").hasMessageContaining("line");
    assertThatThrownBy(() -> create(options("text", "ok\nstill ok\n{{{record.name}}}")))
        .isInstanceOf(PluginConfigException.class).hasMessageContaining("option 'text', line 3")
        .hasMessageContaining("unescaped");
    assertThatThrownBy(() -> create(options("text", "{{& record.name}}"))).hasMessageContaining("unescaped");
    assertThatThrownBy(() -> create(options("text", "{{> /etc/passwd}}"))).hasMessageContaining("partials");
    assertThatThrownBy(() -> create(options("text", "{{=<% %>=}}<%{record.name}%>")))
        .hasMessageContaining("delimiter");
    assertThatThrownBy(() -> create(options("text", null))).hasMessageContaining("'text' template");
    assertThatThrownBy(() -> create(options("blocks", "[{\"type\": \"section\", \"n\": {{record.amount}} }]")))
        .isInstanceOf(PluginConfigException.class).hasMessageContaining("option 'blocks' does not render to JSON");
    assertThatThrownBy(() -> create(options("blocks", "{\"type\": \"section\"}")))
        .hasMessageContaining("must render to a JSON array");
    assertThatThrownBy(() -> create(options("text", "x", "channel", "#sales <!channel>")))
        .hasMessageContaining("option 'channel' must be a channel name");
    assertThatThrownBy(() -> create(options("text", "x", "channel", null)))
        .hasMessageContaining("'channel' or 'channelFrom'");
    assertThatThrownBy(() -> create(options("text", "x", "webhookUrl", "https://hooks.example/x")))
        .hasMessageContaining("exactly one of 'token'");
  }

  @Test
  void templatesCallNoMethodsOnValues() throws Exception {
    SlackDestination d = create(options("text",
        "[{{record.name.class}}|{{record.name.bytes}}|{{key.class.name}}|{{record.name.length}}|{{record.name}}]"));
    d.deliver(batch(deal(1, "abc", 1)));
    assertThat(stub.accepted().get(0).text()).isEqualTo("[||||abc]");
  }

  @Test
  void helpersLookUpJsonPathsAndFormatDates() throws Exception {
    SlackDestination d = create(options("text",
        "{{#jsonpath}}$.owner.name{{/jsonpath}} closed on {{#date}}{{record.closedAt}}{{/date}}"
            + " ({{#date}}{{record.day}}{{/date}}) in {{pipeline}}"));
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("closedAt", "2026-02-03T04:05:06Z")
        .put("day", "2026-02-03");
    data.putObject("owner").put("name", "Ann <@U1>");
    assertThat(d.deliver(batch(Record.of("k", data)))).matches(DeliveryResult::isSuccess);
    assertThat(stub.accepted().get(0).text())
        .isEqualTo("Ann &lt;@U1&gt; closed on 2026-02-03 04:05 UTC (2026-02-03) in hubspot-deals");

    SlackDestination broken = create(options("text", "{{#jsonpath}}$..deep[*]{{/jsonpath}}"));
    DeliveryResult r = broken.deliver(batch(Record.of("k2", data)));
    assertThat(r.failures().get(0).retryable()).isFalse();
    assertThat(r.failures().get(0).reason()).contains("option 'text'").contains("JSONPath");
  }

  @Test
  void aSentLogThatCanNotBeReadFailsTheBatchAsRetryableBeforeSending() {
    Store failing = new Store() {
      private final InMemoryStore inner = new InMemoryStore();

      @Override
      public CheckpointStore checkpoints() {
        return inner.checkpoints();
      }

      @Override
      public RunStore runs() {
        return inner.runs();
      }

      @Override
      public DeadLetterStore deadLetters() {
        return inner.deadLetters();
      }

      @Override
      public java.util.Optional<dev.sluice.store.SentLog> sentLog() {
        return java.util.Optional.of(new dev.sluice.store.SentLog() {
          @Override
          public boolean contains(String scope, String key) {
            throw new IllegalStateException("database down");
          }

          @Override
          public void record(String scope, String key, java.time.Instant expiresAt) {}

          @Override
          public int purgeExpired(java.time.Instant now) {
            return 0;
          }
        });
      }
    };
    context = new TestContext("deals-slack", failing);
    SlackDestination d = create(options("text", "x"));
    Throwable t = catchThrowable(() -> d.deliver(batch(deal(1, "a", 1))));
    assertThat(t).isInstanceOf(DeliveryException.class).hasMessageContaining("sent-log");
    assertThat(((DeliveryException) t).isRetryable()).isTrue();
    assertThat(stub.requests()).isEmpty();
  }
}

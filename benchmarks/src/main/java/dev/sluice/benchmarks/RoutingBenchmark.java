package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.Json;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.pipeline.PipelineBuilder;
import dev.sluice.record.Record;
import dev.sluice.routing.Router;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Content-based routing of ~1 KB pre-parsed JSON records to no-op destinations, single thread, three
 * ways on the same records in the same run: Sluice's router, Apache Camel's {@code
 * choice().when().jsonpath(...)}, and a hand-written walk over the Jackson tree (the floor: what a
 * programmer would write for exactly these rules, with {@code String} methods where a regex is a
 * literal and a precompiled {@code java.util.regex} pattern where it is not).
 *
 * <p>Rule sets ({@code set} parameter):
 *
 * <ul>
 *   <li>{@code plain}: issue 3's five rules — nested string and decimal comparisons, an {@code in}
 *       list, a regex without {@code .*} and an {@code &&} chain;
 *   <li>{@code dotStar}: the same kinds, with regexes as Camel/Jayway users write them, with a
 *       leading or trailing {@code .*} ({@code /.*@example\.(com|org)$/});
 *   <li>{@code regexHeavy}: six regex rules, with and without leading/trailing {@code .*}, literal
 *       and not ({@code [0-9]{4}}, alternations, {@code /i}), on nested paths, one in an {@code &&}.
 * </ul>
 *
 * <p>{@code sluiceFirstMatch} has Camel's semantics (the first matching rule wins: every Sluice
 * rule has {@code stop}); {@code sluiceFanOut} evaluates every rule for every record, Sluice's
 * default. The setup checks that Sluice, Camel and the hand-written walk pick the same branch for
 * every record.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RoutingBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class RoutingBenchmark {
  static final int RECORDS = 1024;

  /** One rule set: Sluice's conditions, Camel's equivalent filters and the hand-written walk. */
  record RuleSet(String[] sluice, String[] camel, ToIntFunction<JsonNode> handWritten) {}

  static final RuleSet PLAIN = new RuleSet(
      new String[] {
          "$.customer.address.country == 'DE'",
          "$.order.total > 5000",
          "$.customer.segment in ['enterprise', 'mid-market', 'smb']",
          "$.customer.email =~ /@example\\.(com|org)$/",
          "$.order.total > 1000 && $.order.currency == 'EUR' && $.customer.active == true",
      },
      new String[] {
          "$[?(@.customer.address.country == 'DE')]",
          "$[?(@.order.total > 5000)]",
          "$[?(@.customer.segment in ['enterprise', 'mid-market', 'smb'])]",
          "$[?(@.customer.email =~ /.*@example\\.(com|org)$/)]",
          "$[?(@.order.total > 1000 && @.order.currency == 'EUR' && @.customer.active == true)]",
      },
      HandWritten::plain);

  static final RuleSet DOT_STAR = new RuleSet(
      new String[] {
          "$.customer.address.country == 'DE'",
          "$.order.total > 5000",
          "$.customer.segment in ['enterprise', 'mid-market', 'smb']",
          "$.customer.email =~ /.*@example\\.(com|org)$/",
          "$.customer.name =~ /^Customer 9.*/",
          "$.order.total > 1000 && $.order.currency == 'EUR' && $.customer.active == true",
      },
      new String[] {
          "$[?(@.customer.address.country == 'DE')]",
          "$[?(@.order.total > 5000)]",
          "$[?(@.customer.segment in ['enterprise', 'mid-market', 'smb'])]",
          "$[?(@.customer.email =~ /.*@example\\.(com|org)$/)]",
          "$[?(@.customer.name =~ /^Customer 9.*/)]",
          "$[?(@.order.total > 1000 && @.order.currency == 'EUR' && @.customer.active == true)]",
      },
      HandWritten::dotStar);

  static final RuleSet REGEX_HEAVY = new RuleSet(
      new String[] {
          "$.customer.email =~ /.*@test\\.example\\.com$/",
          "$.id =~ /.*-1001.*/",
          "$.customer.address.zip =~ /^0[0-9]{4}$/",
          "$.customer.email =~ /^user[0-9]*7@(example|test)\\./i",
          "$.order.items[0].sku =~ /^SKU-[1-3]/",
          "$.customer.name =~ /^Customer 1.*/ && $.customer.segment in ['enterprise', 'smb']",
      },
      new String[] {
          "$[?(@.customer.email =~ /.*@test\\.example\\.com$/)]",
          "$[?(@.id =~ /.*-1001.*/)]",
          "$[?(@.customer.address.zip =~ /^0[0-9]{4}$/)]",
          "$[?(@.customer.email =~ /^user[0-9]*7@(example|test)\\..*/i)]",
          "$[?(@.order.items[0].sku =~ /^SKU-[1-3].*/)]",
          "$[?(@.customer.name =~ /^Customer 1.*/ && @.customer.segment in ['enterprise', 'smb'])]",
      },
      HandWritten::regexHeavy);

  @Param({"plain", "dotStar", "regexHeavy"})
  public String set;

  private RuleSet rules;
  private Record[] records;
  private JsonNode[] trees;
  private List<Map<String, Object>> maps;
  private Router firstMatch;
  private Router fanOut;
  private long[] matches;
  private final Router.Scratch scratch = new Router.Scratch();
  private CamelContext camel;
  private ProducerTemplate producer;
  private Blackhole blackhole;
  private Router.RouteSink sink;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) throws Exception {
    this.rules = switch (set) {
      case "plain" -> PLAIN;
      case "dotStar" -> DOT_STAR;
      case "regexHeavy" -> REGEX_HEAVY;
      default -> throw new IllegalArgumentException("unknown rule set " + set);
    };
    this.blackhole = bh;
    this.sink = (destination, record, original) -> bh.consume(destination);
    ObjectMapper mapper = Json.newMapper();
    records = new Record[RECORDS];
    trees = new JsonNode[RECORDS];
    maps = new ArrayList<>(RECORDS);
    Random random = new Random(42);
    for (int i = 0; i < RECORDS; i++) {
      ObjectNode data = Orders.order(mapper, random, i);
      records[i] = Record.of("r" + i, data);
      trees[i] = data;
      @SuppressWarnings("unchecked")
      Map<String, Object> map = mapper.convertValue(data, LinkedHashMap.class);
      maps.add(map);
    }
    firstMatch = router(rules.sluice(), true);
    fanOut = router(rules.sluice(), false);
    matches = new long[rules.sluice().length];

    camel = new DefaultCamelContext();
    camel.addRoutes(new RouteBuilder() {
      @Override
      public void configure() {
        var choice = from("direct:in").choice();
        for (int i = 0; i < rules.camel().length; i++) {
          int branch = i;
          choice = choice.when().jsonpath(rules.camel()[i])
              .process(e -> e.setProperty("branch", branch)).endChoice();
        }
        choice.otherwise().process(e -> e.setProperty("branch", -1)).end();
      }
    });
    camel.start();
    producer = camel.createProducerTemplate();
    verifySameDecisions();
  }

  private static Router router(String[] conditions, boolean stop) {
    PipelineBuilder p = Pipeline.builder("bench").source((ctx, from, out) -> { });
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < conditions.length; i++) {
      int n = i;
      index.put("d" + i, i);
      p.route(r -> {
        r.name("rule" + n).when(conditions[n]).to("d" + n);
        if (stop) {
          r.stop();
        }
      });
    }
    Pipeline pipeline = p.build();
    return new Router(pipeline.rulesInPriorityOrder(), pipeline.otherwise(), index);
  }

  /** The three must take the same branch for every record, or the comparison means nothing. */
  private void verifySameDecisions() throws Exception {
    int[] taken = new int[1];
    int[] branches = new int[rules.sluice().length + 1];
    for (int i = 0; i < RECORDS; i++) {
      taken[0] = -1;
      firstMatch.route(records[i], scratch, (d, r, o) -> taken[0] = d, new long[rules.sluice().length]);
      Map<String, Object> body = maps.get(i);
      Exchange e = producer.send("direct:in", x -> x.getIn().setBody(body));
      int camelBranch = e.getProperty("branch", Integer.class);
      int handBranch = rules.handWritten().applyAsInt(trees[i]);
      if (camelBranch != taken[0] || handBranch != taken[0]) {
        throw new IllegalStateException("set " + set + ", record " + i + ": Sluice takes rule " + taken[0]
            + ", Camel branch " + camelBranch + ", the hand-written walk " + handBranch + ": " + records[i].data());
      }
      branches[camelBranch + 1]++;
    }
    System.out.println("set " + set + ": branches taken (otherwise, rule0..): " + Arrays.toString(branches));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    camel.close();
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void sluiceFirstMatch() throws InterruptedException {
    for (Record r : records) {
      firstMatch.route(r, scratch, sink, matches);
    }
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void sluiceFanOut() throws InterruptedException {
    for (Record r : records) {
      fanOut.route(r, scratch, sink, matches);
    }
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void handWritten() {
    ToIntFunction<JsonNode> walk = rules.handWritten();
    for (JsonNode tree : trees) {
      blackhole.consume(walk.applyAsInt(tree));
    }
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void camelChoice() {
    for (Map<String, Object> body : maps) {
      blackhole.consume(producer.requestBody("direct:in", body));
    }
  }

  /**
   * The floor: each rule set written by hand against the Jackson tree, first match wins, -1 for
   * none. Literal regexes become {@code String} methods; the others are precompiled patterns with a
   * reused matcher (the benchmark is single-threaded).
   */
  static final class HandWritten {
    private static final BigDecimal FIVE_THOUSAND = BigDecimal.valueOf(5000);
    private static final BigDecimal ONE_THOUSAND = BigDecimal.valueOf(1000);
    private static final Set<String> SEGMENTS = Set.of("enterprise", "mid-market", "smb");
    private static final Set<String> BIG_SEGMENTS = Set.of("enterprise", "smb");
    private static final Matcher ZIP = Pattern.compile("^0[0-9]{4}$").matcher("");
    private static final Matcher USER_7 =
        Pattern.compile("^user[0-9]*7@(example|test)\\.", Pattern.CASE_INSENSITIVE).matcher("");
    private static final Matcher SKU = Pattern.compile("^SKU-[1-3]").matcher("");

    private HandWritten() {}

    static int plain(JsonNode o) {
      JsonNode customer = o.get("customer");
      JsonNode order = o.get("order");
      if ("DE".equals(customer.get("address").get("country").textValue())) {
        return 0;
      }
      BigDecimal total = order.get("total").decimalValue();
      if (total.compareTo(FIVE_THOUSAND) > 0) {
        return 1;
      }
      if (SEGMENTS.contains(customer.get("segment").textValue())) {
        return 2;
      }
      String email = customer.get("email").textValue();
      if (email.endsWith("@example.com") || email.endsWith("@example.org")) {
        return 3;
      }
      if (bigEuroActive(total, order, customer)) {
        return 4;
      }
      return -1;
    }

    static int dotStar(JsonNode o) {
      int plain = plain(o);
      if (plain >= 0 && plain <= 3) {
        return plain;
      }
      JsonNode customer = o.get("customer");
      if (customer.get("name").textValue().startsWith("Customer 9")) {
        return 4;
      }
      return plain == 4 ? 5 : -1;
    }

    static int regexHeavy(JsonNode o) {
      JsonNode customer = o.get("customer");
      String email = customer.get("email").textValue();
      if (email.endsWith("@test.example.com")) {
        return 0;
      }
      if (o.get("id").textValue().contains("-1001")) {
        return 1;
      }
      if (ZIP.reset(customer.get("address").get("zip").textValue()).find()) {
        return 2;
      }
      if (USER_7.reset(email).find()) {
        return 3;
      }
      if (SKU.reset(o.get("order").get("items").get(0).get("sku").textValue()).find()) {
        return 4;
      }
      if (customer.get("name").textValue().startsWith("Customer 1")
          && BIG_SEGMENTS.contains(customer.get("segment").textValue())) {
        return 5;
      }
      return -1;
    }

    private static boolean bigEuroActive(BigDecimal total, JsonNode order, JsonNode customer) {
      return total.compareTo(ONE_THOUSAND) > 0 && "EUR".equals(order.get("currency").textValue())
          && customer.get("active").booleanValue();
    }
  }
}

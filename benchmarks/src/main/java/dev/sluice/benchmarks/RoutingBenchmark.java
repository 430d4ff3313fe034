package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.Json;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.pipeline.PipelineBuilder;
import dev.sluice.record.Record;
import dev.sluice.routing.Router;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Content-based routing of ~1 KB pre-parsed JSON records through five rules (nested-field
 * comparisons, an {@code in}, a regex and an {@code &&} chain) to no-op destinations, single
 * thread. Sluice's router against Apache Camel's {@code choice().when().jsonpath(...)} on the
 * same records, in the same run.
 *
 * <p>{@code sluiceFirstMatch} has Camel's semantics (the first matching rule wins: every Sluice
 * rule has {@code stop}); {@code sluiceFanOut} evaluates all five rules for every record, which is
 * Sluice's default. The setup checks that Sluice and Camel pick the same branch for every record.
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

  static final String[] SLUICE_RULES = {
      "$.customer.address.country == 'DE'",
      "$.order.total > 5000",
      "$.customer.segment in ['enterprise', 'mid-market', 'smb']",
      "$.customer.email =~ /@example\\.(com|org)$/",
      "$.order.total > 1000 && $.order.currency == 'EUR' && $.customer.active == true",
  };

  static final String[] CAMEL_RULES = {
      "$[?(@.customer.address.country == 'DE')]",
      "$[?(@.order.total > 5000)]",
      "$[?(@.customer.segment in ['enterprise', 'mid-market', 'smb'])]",
      "$[?(@.customer.email =~ /.*@example\\.(com|org)$/)]",
      "$[?(@.order.total > 1000 && @.order.currency == 'EUR' && @.customer.active == true)]",
  };

  private Record[] records;
  private List<Map<String, Object>> maps;
  private Router firstMatch;
  private Router fanOut;
  private long[] matches;
  private CamelContext camel;
  private ProducerTemplate producer;
  private Blackhole blackhole;
  private Router.RouteSink sink;
  private final Router.Scratch scratch = new Router.Scratch();

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) throws Exception {
    this.blackhole = bh;
    this.sink = (destination, record, original) -> bh.consume(destination);
    ObjectMapper mapper = Json.newMapper();
    records = new Record[RECORDS];
    maps = new ArrayList<>(RECORDS);
    Random random = new Random(42);
    for (int i = 0; i < RECORDS; i++) {
      ObjectNode data = Orders.order(mapper, random, i);
      records[i] = Record.of("r" + i, data);
      @SuppressWarnings("unchecked")
      Map<String, Object> map = mapper.convertValue(data, LinkedHashMap.class);
      maps.add(map);
    }
    firstMatch = router(true);
    fanOut = router(false);
    matches = new long[SLUICE_RULES.length];

    camel = new DefaultCamelContext();
    camel.addRoutes(new RouteBuilder() {
      @Override
      public void configure() {
        var choice = from("direct:in").choice();
        for (int i = 0; i < CAMEL_RULES.length; i++) {
          int branch = i;
          choice = choice.when().jsonpath(CAMEL_RULES[i])
              .process(e -> e.setProperty("branch", branch)).endChoice();
        }
        choice.otherwise().process(e -> e.setProperty("branch", -1)).end();
      }
    });
    camel.start();
    producer = camel.createProducerTemplate();
    verifySameDecisions();
  }

  private static Router router(boolean stop) {
    PipelineBuilder p = Pipeline.builder("bench").source((ctx, from, out) -> { });
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < SLUICE_RULES.length; i++) {
      int n = i;
      index.put("d" + i, i);
      p.route(r -> {
        r.name("rule" + n).when(SLUICE_RULES[n]).to("d" + n);
        if (stop) {
          r.stop();
        }
      });
    }
    Pipeline pipeline = p.build();
    return new Router(pipeline.rulesInPriorityOrder(), pipeline.otherwise(), index);
  }

  /** Both engines must take the same branch for every record, or the comparison means nothing. */
  private void verifySameDecisions() throws Exception {
    int[] taken = new int[1];
    int[] camelBranches = new int[SLUICE_RULES.length + 1];
    for (int i = 0; i < RECORDS; i++) {
      taken[0] = -1;
      firstMatch.route(records[i], new Router.Scratch(), (d, r, o) -> taken[0] = d, new long[SLUICE_RULES.length]);
      Map<String, Object> body = maps.get(i);
      Exchange e = producer.send("direct:in", x -> x.getIn().setBody(body));
      int camelBranch = e.getProperty("branch", Integer.class);
      if (camelBranch != taken[0]) {
        throw new IllegalStateException("record " + i + ": Sluice takes rule " + taken[0] + ", Camel branch "
            + camelBranch + ": " + records[i].data());
      }
      camelBranches[camelBranch + 1]++;
    }
    System.out.println("branches taken (otherwise, rule0..rule4): " + Arrays.toString(camelBranches));
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
  public void camelChoice() {
    for (Map<String, Object> body : maps) {
      blackhole.consume(producer.requestBody("direct:in", body));
    }
  }
}

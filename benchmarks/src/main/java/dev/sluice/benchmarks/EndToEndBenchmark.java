package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.sluice.Sluice;
import dev.sluice.pipeline.RunReport;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SplitDefinition;

/**
 * "Read a file, route, write files" end to end, the job users run most: the same generated file of
 * ~320-byte orders through
 *
 * <ul>
 *   <li>{@code sluice}: Sluice's embedded API, {@code file} connector → rules → {@code file}
 *       destinations (in-memory store, default delivery settings);
 *   <li>{@code jackson}: a hand-written loop, {@code readTree} per line, the condition, {@code
 *       writeValueAsString} to buffered writers: the floor;
 *   <li>{@code camel}: Apache Camel, {@code file} → streaming {@code split(tokenize("\n"))} →
 *       {@code choice().when().jsonpath(...)} → {@code file} with {@code fileExist=Append};
 *   <li>{@code cli} (optional): the {@code sluice once} command in a new JVM, process start
 *       included.
 * </ul>
 *
 * <p>Variants: input JSONL, CSV or gzip JSONL; one destination (every record to one JSON Lines
 * file) or two ({@code $.amount > 1000} to one file, every record to another). Each pass runs every
 * way once, one after another, so the ways share the machine's state; the first pass is warm-up,
 * the median of the others is reported, with the ratio to {@code jackson}. Camel runs in the last
 * pass only (by default): its time goes to opening and closing files per record, not to code that
 * warms up, and a pass takes it about a minute. Every way's output is
 * checked (line counts) against the others. Not JMH: one pass over a million records is the unit.
 *
 * <pre>
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.EndToEndBenchmark \
 *     [--records N] [--passes N] [--dir DIR] [--ways sluice,jackson,camel,cli] [--cli-jar PATH]
 *     [--variants jsonl-2,csv-2,gz-2,jsonl-1,csv-1,gz-1] [--sync true|false] [--camel-passes 1]
 *     [--camel-variants jsonl-2,...]
 * </pre>
 */
public final class EndToEndBenchmark {
  private static final BigDecimal THOUSAND = new BigDecimal(1000);
  private static final String CONDITION = "$.amount > 1000";

  private EndToEndBenchmark() {}

  /** Input format of a variant. */
  enum Input {
    JSONL("orders.jsonl"), CSV("orders.csv"), GZ("orders.jsonl.gz");

    final String fileName;

    Input(String fileName) {
      this.fileName = fileName;
    }
  }

  record Variant(Input input, int destinations) {
    String name() {
      return (input == Input.GZ ? "gz" : input.name().toLowerCase(Locale.ROOT)) + "-" + destinations;
    }

    static Variant parse(String s) {
      String[] p = s.split("-");
      Input in = p[0].equals("gz") ? Input.GZ : Input.valueOf(p[0].toUpperCase(Locale.ROOT));
      return new Variant(in, Integer.parseInt(p[1]));
    }
  }

  interface Way {
    /** Runs one pass; returns the line counts of the outputs ("all", then "big" when two). */
    void run(Variant v, Path input, Path out) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int records = Integer.parseInt(opt.getOrDefault("records", "1000000"));
    int passes = Integer.parseInt(opt.getOrDefault("passes", "4"));
    Path dir = Path.of(opt.getOrDefault("dir", System.getProperty("java.io.tmpdir") + "/sluice-e2e"));
    List<String> ways = List.of(opt.getOrDefault("ways", "sluice,jackson,camel").split(","));
    List<Variant> variants = Stream.of(opt.getOrDefault("variants", "jsonl-2,csv-2,gz-2,jsonl-1,csv-1,gz-1")
        .split(",")).map(Variant::parse).toList();
    boolean sync = Boolean.parseBoolean(opt.getOrDefault("sync", "false"));
    String cliJar = opt.getOrDefault("cli-jar", "cli/target/sluice.jar");
    // Camel spends its time opening and closing the output files per record (fileExist=Append), not
    // in code the JIT warms up; at ~15k records/s a pass takes a minute, so it runs in the last N passes only.
    int camelPasses = Integer.parseInt(opt.getOrDefault("camel-passes", "1"));
    List<String> camelVariants = List.of(opt.getOrDefault("camel-variants", "jsonl-2,csv-2,gz-2,jsonl-1,csv-1,gz-1").split(","));

    Files.createDirectories(dir);
    generate(dir, records);
    Map<String, Way> all = new LinkedHashMap<>();
    all.put("sluice", (v, in, out) -> sluice(v, in, out, sync));
    all.put("jackson", EndToEndBenchmark::jackson);
    all.put("camel", EndToEndBenchmark::camel);
    all.put("cli", (v, in, out) -> cli(v, in, out, sync, cliJar));

    System.out.printf(Locale.ROOT, "%d records, %d passes (first is warm-up), file destination sync=%s, %s, %d cores%n",
        records, passes, sync, System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-8s %-8s %10s %12s %8s   %s%n", "variant", "way", "median s", "records/s", "vs jackson", "all passes (s)");
    for (Variant v : variants) {
      Path input = dir.resolve(v.input().fileName);
      Map<String, List<Double>> times = new LinkedHashMap<>();
      Map<String, List<Long>> counts = new LinkedHashMap<>();
      for (int pass = 0; pass < passes; pass++) {
        for (String w : ways) {
          if (w.equals("camel") && (pass < passes - camelPasses || !camelVariants.contains(v.name()))) {
            continue;
          }
          Path out = dir.resolve("out-" + w);
          deleteTree(out);
          Files.createDirectories(out);
          System.gc();
          long t0 = System.nanoTime();
          all.get(w).run(v, input, out);
          double s = (System.nanoTime() - t0) / 1e9;
          List<Long> c = lineCounts(out, v.destinations());
          List<Long> seen = counts.putIfAbsent("first", c);
          if (seen != null && !seen.equals(c)) {
            throw new IllegalStateException(v.name() + ": " + w + " wrote " + c + " lines, others " + seen);
          }
          if (pass > 0 || passes == 1) {
            times.computeIfAbsent(w, k -> new ArrayList<>()).add(s);
          }
        }
      }
      double floor = median(times.getOrDefault("jackson", List.of(Double.NaN)));
      for (Map.Entry<String, List<Double>> e : times.entrySet()) {
        double m = median(e.getValue());
        System.out.printf(Locale.ROOT, "%-8s %-8s %10.2f %,12.0f %7.0f%%   %s%n", v.name(), e.getKey(), m, records / m,
            100 * floor / m, e.getValue().stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
      }
      System.out.println("  output lines (all, big): " + counts.get("first"));
    }
  }

  // ---------------------------------------------------------------- the ways

  static void sluice(Variant v, Path input, Path out, boolean sync) throws Exception {
    Sluice.Builder b = Sluice.builder()
        .destination("all", "file", Map.of("path", out.resolve("all.jsonl").toString(), "sync", sync));
    if (v.destinations() == 2) {
      b.destination("big", "file", Map.of("path", out.resolve("big.jsonl").toString(), "sync", sync));
    }
    try (Sluice sluice = b.pipeline("e2e", p -> {
          p.source("file", Map.of("path", input.toString(), "key", "id"));
          if (v.destinations() == 2) {
            p.route(r -> r.name("big").when(CONDITION).to("big"));
          }
          p.route(r -> r.name("all").to("all"));
        }).build()) {
      RunReport report = sluice.run("e2e");
      if (!report.succeeded()) {
        throw new IllegalStateException(report.render());
      }
    }
  }

  /** The hand-written floor: what a developer writes for this job in 25 lines of Jackson. */
  static void jackson(Variant v, Path input, Path out) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    try (InputStream raw = Files.newInputStream(input);
        Reader reader = new InputStreamReader(v.input() == Input.GZ ? new GZIPInputStream(raw, 1 << 16) : raw,
            StandardCharsets.UTF_8);
        BufferedWriter all = Files.newBufferedWriter(out.resolve("all.jsonl"));
        BufferedWriter big = v.destinations() == 2 ? Files.newBufferedWriter(out.resolve("big.jsonl")) : null) {
      if (v.input() == Input.CSV) {
        CsvMapper csv = new CsvMapper();
        var rows = csv.readerFor(Map.class).with(CsvSchema.emptySchema().withHeader()).<Map<String, String>>readValues(reader);
        while (rows.hasNextValue()) {
          Map<String, String> row = rows.nextValue();
          ObjectNode n = mapper.createObjectNode();
          row.forEach(n::put);
          n.put("amount", new BigDecimal(row.get("amount")));
          n.put("quantity", Integer.parseInt(row.get("quantity")));
          write(mapper, n, all, big);
        }
      } else {
        BufferedReader lines = new BufferedReader(reader, 1 << 16);
        for (String line; (line = lines.readLine()) != null; ) {
          if (!line.isBlank()) {
            write(mapper, mapper.readTree(line), all, big);
          }
        }
      }
    }
  }

  private static void write(ObjectMapper mapper, JsonNode n, Writer all, Writer big) throws IOException {
    String json = mapper.writeValueAsString(n);
    if (big != null && n.path("amount").decimalValue().compareTo(THOUSAND) > 0) {
      big.write(json);
      big.write('\n');
    }
    all.write(json);
    all.write('\n');
  }

  static void camel(Variant v, Path input, Path out) throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(1); // after the split: every line was routed
    try (CamelContext camel = new DefaultCamelContext()) {
      camel.addRoutes(new RouteBuilder() {
        @Override
        public void configure() {
          onException(Exception.class).process(e -> {
            failure.compareAndSet(null, e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
            finished.countDown();
          });
          String append = "?fileExist=Append&fileName=";
          RouteDefinition route = from("file:" + input.getParent() + "?noop=true&initialDelay=0&fileName="
              + input.getFileName());
          if (v.input() == Input.GZ) {
            route.process(e -> e.getIn().setBody(new GZIPInputStream(
                Files.newInputStream(e.getIn().getBody(File.class).toPath()), 1 << 16)));
          }
          SplitDefinition split = route.split(body().tokenize("\n")).streaming();
          ProcessorDefinition<?> steps = split;
          if (v.input() == Input.CSV) {
            // No JSON in a CSV line: skip the header, turn each row into a JSON object first.
            steps = steps.filter(simple("${exchangeProperty.CamelSplitIndex} > 0"))
                .process(e -> e.getIn().setBody(csvRowToJson(e.getIn().getBody(String.class))));
          }
          steps = steps.transform(body().append("\n"));
          if (v.destinations() == 2) {
            steps.choice().when().jsonpath("$[?(@.amount > 1000)]")
                .to("file:" + out + append + "big.jsonl").end();
          }
          steps.to("file:" + out + append + "all.jsonl");
          split.end().process(e -> finished.countDown());
        }
      });
      camel.start();
      if (!finished.await(30, TimeUnit.MINUTES)) {
        throw new IllegalStateException("camel did not finish");
      }
    }
    if (failure.get() != null) {
      throw new IllegalStateException("camel failed", failure.get());
    }
  }

  private static final ObjectMapper CSV_JSON = new ObjectMapper();

  /** One CSV row of the generated file (columns {@link #CSV_COLUMNS}) as a JSON object. */
  static String csvRowToJson(String line) throws IOException {
    String[] cells = line.split(",", -1); // the generated file needs no quoting
    ObjectNode n = CSV_JSON.createObjectNode();
    for (int i = 0; i < CSV_COLUMNS.length; i++) {
      n.put(CSV_COLUMNS[i], cells[i]);
    }
    n.put("amount", new BigDecimal(cells[9]));
    n.put("quantity", Integer.parseInt(cells[8]));
    return CSV_JSON.writeValueAsString(n);
  }

  static void cli(Variant v, Path input, Path out, boolean sync, String jar) throws Exception {
    StringBuilder yaml = new StringBuilder("store: { type: memory }\ndestinations:\n");
    yaml.append("  all: { type: file, path: \"").append(out.resolve("all.jsonl")).append("\", sync: ").append(sync).append(" }\n");
    if (v.destinations() == 2) {
      yaml.append("  big: { type: file, path: \"").append(out.resolve("big.jsonl")).append("\", sync: ").append(sync).append(" }\n");
    }
    yaml.append("pipelines:\n  e2e:\n    source: { type: file, path: \"").append(input).append("\", key: id }\n    rules:\n");
    if (v.destinations() == 2) {
      yaml.append("      - { name: big, when: \"").append(CONDITION).append("\", to: [big] }\n");
    }
    yaml.append("      - { name: all, to: [all] }\n");
    Path config = out.resolve("sluice.yaml");
    Files.writeString(config, yaml);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-jar", jar, "once", "e2e", "-c", config.toString())
        .redirectErrorStream(true).redirectOutput(out.resolve("cli.log").toFile()).start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("sluice once failed: " + Files.readString(out.resolve("cli.log")));
    }
    Files.delete(config);
    Files.delete(out.resolve("cli.log"));
  }

  // ---------------------------------------------------------------- input and checks

  static final String[] CSV_COLUMNS = {"id", "createdAt", "customerId", "customerName", "email", "country",
      "sku", "product", "quantity", "amount", "currency", "status", "channel"};

  /** Writes the three inputs (the same orders) once; kept between runs when already there. */
  static void generate(Path dir, int records) throws IOException {
    Path jsonl = dir.resolve(Input.JSONL.fileName);
    Path marker = dir.resolve("records-" + records);
    if (Files.exists(marker)) {
      return;
    }
    ObjectMapper mapper = new ObjectMapper();
    Random random = new Random(42);
    try (BufferedWriter j = Files.newBufferedWriter(jsonl);
        BufferedWriter c = Files.newBufferedWriter(dir.resolve(Input.CSV.fileName));
        Writer g = new java.io.OutputStreamWriter(new GZIPOutputStream(
            Files.newOutputStream(dir.resolve(Input.GZ.fileName)), 1 << 16), StandardCharsets.UTF_8)) {
      c.write(String.join(",", CSV_COLUMNS));
      c.write('\n');
      for (int i = 1; i <= records; i++) {
        ObjectNode o = Orders.compact(mapper, random, i);
        String line = mapper.writeValueAsString(o) + "\n";
        j.write(line);
        g.write(line);
        JsonNode item = o.get("items").get(0);
        c.write(String.join(",", o.get("id").asText(), o.get("createdAt").asText(),
            o.get("customer").get("id").asText(), o.get("customer").get("name").asText(),
            o.get("customer").get("email").asText(), o.get("customer").get("country").asText(),
            item.get("sku").asText(), item.get("name").asText(), item.get("quantity").asText(),
            o.get("amount").decimalValue().toPlainString(), o.get("currency").asText(),
            o.get("status").asText(), o.get("channel").asText()));
        c.write('\n');
      }
    }
    Files.deleteIfExists(marker);
    try (Stream<Path> old = Files.list(dir)) {
      old.filter(f -> f.getFileName().toString().startsWith("records-")).forEach(f -> f.toFile().delete());
    }
    Files.createFile(marker);
    System.out.printf(Locale.ROOT, "generated %d orders: %,d bytes JSONL, %,d bytes CSV, %,d bytes gzip%n", records,
        Files.size(jsonl), Files.size(dir.resolve(Input.CSV.fileName)), Files.size(dir.resolve(Input.GZ.fileName)));
  }

  private static List<Long> lineCounts(Path out, int destinations) throws IOException {
    List<Long> counts = new ArrayList<>();
    for (String f : destinations == 2 ? List.of("all.jsonl", "big.jsonl") : List.of("all.jsonl")) {
      long n = 0;
      try (InputStream in = Files.newInputStream(out.resolve(f))) {
        byte[] buf = new byte[1 << 16];
        for (int r; (r = in.read(buf)) > 0; ) {
          for (int i = 0; i < r; i++) {
            if (buf[i] == '\n') {
              n++;
            }
          }
        }
      }
      counts.add(n);
    }
    return counts;
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    int n = s.size();
    return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> files = Files.walk(p)) {
      files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
    }
  }
}

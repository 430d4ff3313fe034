package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.UnknownPipelineException;
import dev.sluice.config.LoadedConfig;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.internal.Json;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.ReadContext;
import dev.sluice.spi.RequestLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs only a pipeline's connector, printing the requests it reports (masked by the connector) and
 * the first records, and stops it after {@code --limit} records. Nothing is routed or delivered; the
 * stored checkpoint is read (so an incremental source shows what the next run would read) but
 * never written.
 */
@Command(name = "try-source", mixinStandardHelpOptions = true,
    description = "Runs only a pipeline's source: prints the requests it makes (secrets masked) and its first"
        + " records, then stops. Delivers nothing and commits no checkpoint.")
final class TrySourceCommand implements Callable<Integer> {
  private static final int RAW_EXCERPT = 200;

  @Mixin ConfigOptions config;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PIPELINE", description = "The pipeline whose source to try.")
  String pipeline;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "10",
      description = "Stop after this many records. Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
      description = "A run parameter, as an API run would pass it ({params.NAME} in http templates); repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(names = "--from-start", description = "Ignore the stored checkpoint and read from the beginning.")
  boolean fromStart;

  @Override
  public Integer call() throws Exception {
    if (limit < 1) {
      spec.commandLine().getErr().println("sluice try-source: --limit must be at least 1, got " + limit);
      return ExitCodes.USAGE;
    }
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper mapper = Json.newMapper();
    try (LoadedConfig loaded = config.loader().load(config.files())) {
      Pipeline p = loaded.definition().pipelines().get(pipeline);
      if (p == null) {
        throw new UnknownPipelineException(pipeline, loaded.definition().pipelines().keySet());
      }
      Connector connector = create(loaded, p, mapper);
      try {
        Optional<Checkpoint> stored = fromStart ? Optional.empty() : loaded.store().checkpoints().load(pipeline);
        out.println(stored.map(c -> "checkpoint: " + c.state() + " (read as the next run would; never written)")
            .orElse(fromStart ? "checkpoint: ignored (--from-start)" : "checkpoint: none, reading from the start"));
        Session session = new Session(out, mapper);
        boolean stopped = false;
        try {
          connector.read(session, stored.orElse(null), session);
        } catch (InterruptedException e) {
          if (!session.limitReached) {
            throw e;
          }
          stopped = true;
        } catch (Exception e) {
          out.flush();
          spec.commandLine().getErr().println("sluice try-source: the source failed after " + session.records
              + " record(s): " + e.getMessage());
          return ExitCodes.RUN_FAILED;
        }
        stopped |= session.limitReached;
        out.println(session.records + " record(s)" + (session.rejected > 0 ? ", " + session.rejected + " rejected" : "")
            + ", " + session.requests + " request(s); " + (stopped ? "stopped at --limit " + limit
                : "the source has no more") + ". Nothing was delivered and no checkpoint was committed.");
        return ExitCodes.OK;
      } finally {
        connector.close();
      }
    }
  }

  private Connector create(LoadedConfig loaded, Pipeline p, ObjectMapper mapper) {
    if (p.source().isInstance()) {
      return p.source().instance().orElseThrow();
    }
    String owner = "pipeline '" + p.name() + "' source (type " + p.source().type() + ")";
    ConnectorProvider provider = loaded.registry().require(PluginKind.CONNECTOR, p.source().type(), owner);
    return provider.create(new PluginConfig(owner, p.source().options()), new DefaultPluginContext(
        p.name(), PluginKind.CONNECTOR, Clock.systemUTC(), new SimpleMeterRegistry(), mapper, loaded.store(),
        loaded.secrets()));
  }

  private ObjectNode runParameters(ObjectMapper mapper) {
    ObjectNode node = mapper.createObjectNode();
    params.forEach(node::put);
    return node;
  }

  /** The read context and emitter of the one read: prints as things happen, cancels at the limit. */
  private final class Session implements ReadContext, Emitter, RequestLog {
    private final PrintWriter out;
    private final ObjectMapper mapper;
    private final ObjectNode parameters;
    private final Logger logger = LoggerFactory.getLogger("sluice.source." + pipeline);
    volatile boolean limitReached;
    int records;
    int rejected;
    int requests;

    Session(PrintWriter out, ObjectMapper mapper) {
      this.out = out;
      this.mapper = mapper;
      this.parameters = runParameters(mapper);
    }

    @Override
    public synchronized void emit(Record record) throws InterruptedException {
      if (limitReached) {
        throw new InterruptedException("--limit " + limit + " reached");
      }
      records++;
      ObjectNode line = mapper.createObjectNode().put("key", record.key());
      if (!record.attributes().isEmpty()) {
        line.set("attributes", mapper.valueToTree(record.attributes()));
      }
      line.set("data", record.data());
      out.println(line);
      if (records >= limit) {
        limitReached = true;
      }
    }

    @Override
    public synchronized void checkpoint(Checkpoint checkpoint) {
      out.println("checkpoint (not committed): " + checkpoint.state());
    }

    @Override
    public synchronized void reject(String raw, String location, String reason) {
      rejected++;
      String excerpt = raw.length() > RAW_EXCERPT ? raw.substring(0, RAW_EXCERPT) + "…" : raw;
      out.println("rejected at " + location + ": " + reason + ": " + excerpt);
    }

    @Override
    public synchronized void request(String method, String target, String outcome) {
      requests++;
      out.println("→ " + method + " " + target + "  " + outcome);
    }

    @Override
    public String pipeline() {
      return pipeline;
    }

    @Override
    public String runId() {
      return "try-source";
    }

    @Override
    public JsonNode parameters() {
      return parameters.deepCopy();
    }

    @Override
    public Clock clock() {
      return Clock.systemUTC();
    }

    @Override
    public Logger logger() {
      return logger;
    }

    @Override
    public boolean isCancelled() {
      return limitReached;
    }

    @Override
    public RequestLog requestLog() {
      return this;
    }
  }
}

package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.config.LoadedConfig;
import dev.sluice.internal.Json;
import dev.sluice.record.Record;
import dev.sluice.routing.RecordTrace;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "test-rules", mixinStandardHelpOptions = true,
    description = "Shows what a pipeline's rules do with sample records, without delivering anything:"
        + " every rule, the value of each operand, the output and the destinations.")
final class TestRulesCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PIPELINE", description = "The pipeline whose rules to test.")
  String pipeline;

  @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
      description = "Sample records: JSON Lines, or one JSON array of objects.")
  Path input;

  @Option(names = "--key", paramLabel = "FIELD", description = "Field holding each record's key (default: line number).")
  String keyField;

  @Option(names = "--json", description = "Print the traces as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ObjectMapper mapper = Json.newMapper();
    List<Record> records = read(mapper);
    PrintWriter out = spec.commandLine().getOut();
    try (LoadedConfig loaded = config.loader().load(config.files()); Sluice sluice = loaded.builder().build()) {
      List<RecordTrace> traces = sluice.preview(pipeline, records);
      if (json) {
        ArrayNode all = mapper.createArrayNode();
        traces.forEach(t -> all.add(t.toJson()));
        out.println(SchemaCommand.pretty(all));
      } else {
        traces.forEach(t -> out.println(t.render()));
      }
      long errors = traces.stream().filter(t -> t.outcome() == RecordTrace.Outcome.ERROR).count();
      out.printf("%d record(s): %d matched, %d otherwise, %d unmatched, %d error(s)%n", traces.size(),
          count(traces, RecordTrace.Outcome.MATCHED), count(traces, RecordTrace.Outcome.OTHERWISE),
          count(traces, RecordTrace.Outcome.UNMATCHED), errors);
      return errors > 0 ? ExitCodes.RUN_FAILED : ExitCodes.OK;
    }
  }

  private static long count(List<RecordTrace> traces, RecordTrace.Outcome outcome) {
    return traces.stream().filter(t -> t.outcome() == outcome).count();
  }

  private List<Record> read(ObjectMapper mapper) throws Exception {
    List<Record> records = new ArrayList<>();
    String text = Files.readString(input, StandardCharsets.UTF_8).strip();
    if (text.startsWith("[")) {
      JsonNode array = mapper.readTree(text);
      for (int i = 0; i < array.size(); i++) {
        records.add(record(array.get(i), input.getFileName() + ":" + (i + 1)));
      }
      return records;
    }
    try (BufferedReader lines = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = lines.readLine()) != null) {
        n++;
        if (!line.isBlank()) {
          JsonNode node;
          try {
            node = mapper.readTree(line);
          } catch (Exception e) {
            throw new IllegalArgumentException(input + ":" + n + ": not valid JSON");
          }
          records.add(record(node, input.getFileName() + ":" + n));
        }
      }
    }
    return records;
  }

  private Record record(JsonNode node, String location) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(location + ": expected a JSON object");
    }
    String key = location;
    if (keyField != null) {
      JsonNode k = node.at("/" + keyField.replaceFirst("^\\$\\.", "").replace('.', '/'));
      if (k.isMissingNode() || k.isNull()) {
        throw new IllegalArgumentException(location + ": the key field '" + keyField + "' is missing");
      }
      key = k.asText();
    }
    return Record.of(key, (ObjectNode) node);
  }
}

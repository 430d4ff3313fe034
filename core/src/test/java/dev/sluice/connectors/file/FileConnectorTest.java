package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class FileConnectorTest {
  @TempDir Path dir;
  private final ObjectMapper mapper = new ObjectMapper();

  /** Records what a read emitted. */
  static final class Sink implements Emitter {
    final List<Record> records = new ArrayList<>();
    final List<Checkpoint> checkpoints = new ArrayList<>();
    final List<String> rejected = new ArrayList<>();

    @Override
    public void emit(Record record) {
      records.add(record);
    }

    @Override
    public void checkpoint(Checkpoint checkpoint) {
      checkpoints.add(checkpoint);
    }

    @Override
    public void reject(String raw, String location, String reason) {
      rejected.add(location + " | " + reason + " | " + raw);
    }
  }

  static final ReadContext CONTEXT = new ReadContext() {
    public String pipeline() { return "p"; }
    public String runId() { return "r"; }
    public JsonNode parameters() { return JsonNodeFactory.instance.objectNode(); }
    public Clock clock() { return Clock.systemUTC(); }
    public Logger logger() { return LoggerFactory.getLogger("test"); }
    public boolean isCancelled() { return false; }
  };

  private FileConnector connector(Path file, FileFormat format, String key) {
    return new FileConnector(file, format, key, 2, ',', true, FileConnector.OnMalformed.DEAD_LETTER, mapper);
  }

  private Sink read(FileConnector c, Checkpoint from) throws Exception {
    Sink sink = new Sink();
    c.read(CONTEXT, from, sink);
    return sink;
  }

  @Test
  void jsonLinesWithMalformedLinesKeptAsRejectedInput() throws Exception {
    Path file = dir.resolve("orders.jsonl");
    Files.writeString(file, "{\"id\":1,\"amount\":5}\n\n{\"id\":2,\n[1,2]\n{\"amount\":9}\n{\"id\":3}");

    Sink sink = read(connector(file, FileFormat.JSONL, "id"), null);

    assertThat(sink.records).extracting(Record::key).containsExactly("1", "3");
    assertThat(sink.records.get(0).attributes()).containsEntry("file", "orders.jsonl");
    assertThat(sink.rejected).hasSize(3);
    assertThat(sink.rejected.get(0)).startsWith("orders.jsonl:3 | not valid JSON");
    assertThat(sink.rejected.get(1)).startsWith("orders.jsonl:4 | expected a JSON object, found ARRAY");
    assertThat(sink.rejected.get(2)).startsWith("orders.jsonl:5 | the key field 'id' is missing");
  }

  @Test
  void jsonLinesResumeFromTheByteOffsetAndSeeOnlyNewLines() throws Exception {
    Path file = dir.resolve("events.jsonl");
    Files.writeString(file, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
    FileConnector c = connector(file, FileFormat.JSONL, null);
    Sink first = read(c, null);
    Checkpoint last = first.checkpoints.get(first.checkpoints.size() - 1);
    assertThat(last.state().get("offset").asLong()).isEqualTo(Files.size(file));

    Files.writeString(file, "{\"n\":4}\n{\"n\":5}\n", java.nio.file.StandardOpenOption.APPEND);
    Sink second = read(c, last);

    assertThat(second.records).extracting(r -> r.data().get("n").asInt()).containsExactly(4, 5);
    assertThat(second.records).extracting(Record::key).containsExactly("events.jsonl:4", "events.jsonl:5");
  }

  @Test
  void afterResumingByOffsetRejectsStillNameTheirRealLine() throws Exception {
    Path file = dir.resolve("events.jsonl");
    // Blank lines and a reject before the checkpoint: records consumed and lines differ.
    Files.writeString(file, "\n\n{\"n\":1}\nnope\n\n{\"n\":2}\n");
    FileConnector c = connector(file, FileFormat.JSONL, null);
    Sink first = read(c, null);
    assertThat(first.rejected).singleElement().asString().startsWith("events.jsonl:4 | not valid JSON");
    Checkpoint last = first.checkpoints.get(first.checkpoints.size() - 1);

    Files.writeString(file, "\n{\"n\":3}\n{broken\n{\"n\":4}\n", java.nio.file.StandardOpenOption.APPEND);
    Sink second = read(c, last);

    assertThat(second.records).extracting(r -> r.data().get("n").asInt()).containsExactly(3, 4);
    assertThat(second.rejected).singleElement().asString().startsWith("events.jsonl:9 | not valid JSON");
  }

  @Test
  void aLineWithTwoObjectsIsMalformedNotHalfRead() throws Exception {
    Path file = dir.resolve("two.jsonl");
    Files.writeString(file, "{\"id\":1} {\"id\":2}\n{\"id\":3}\n");

    Sink sink = read(connector(file, FileFormat.JSONL, "id"), null);

    assertThat(sink.records).extracting(Record::key).containsExactly("3");
    assertThat(sink.rejected).singleElement().asString()
        .startsWith("two.jsonl:1 | not valid JSON")
        .endsWith("| {\"id\":1} {\"id\":2}");
  }

  @Test
  void longLinesCrlfAndMultiByteTextSurviveTheByteSplitter() throws Exception {
    Path file = dir.resolve("mixed.jsonl");
    String longText = "ä€😀".repeat(60_000); // ~540 KB of UTF-8 in one line, several buffers long
    Files.writeString(file, "{\"id\":1,\"t\":\"" + longText + "\"}\r\n  \t\r\n{\"id\":2,\"t\":\"ö\"}\r\nkaputt ü\r\n{\"id\":3}");

    Sink sink = read(connector(file, FileFormat.JSONL, "id"), null);

    assertThat(sink.records).extracting(Record::key).containsExactly("1", "2", "3");
    assertThat(sink.records.get(0).data().get("t").asText()).isEqualTo(longText);
    assertThat(sink.records.get(1).data().get("t").asText()).isEqualTo("ö");
    assertThat(sink.rejected).singleElement().asString().startsWith("mixed.jsonl:4 | not valid JSON").endsWith("| kaputt ü");
    Checkpoint last = sink.checkpoints.get(sink.checkpoints.size() - 1);
    assertThat(last.state().get("offset").asLong()).isEqualTo(Files.size(file));
  }

  @Test
  void gzipJsonLinesRejectMalformedLinesWithTheirLineAndReadOn() throws Exception {
    Path file = dir.resolve("orders.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write("{\"id\":1}\n\n[1]\n{\"id\":2}\n".getBytes(StandardCharsets.UTF_8));
    }
    Sink sink = read(connector(file, FileFormat.JSONL, "id"), null);
    assertThat(sink.records).extracting(Record::key).containsExactly("1", "2");
    assertThat(sink.rejected).singleElement().asString().startsWith("orders.jsonl.gz:3 | expected a JSON object, found ARRAY");
  }

  @Test
  void csvInfersTypesButKeepsCodesWithLeadingZerosAsText() throws Exception {
    Path file = dir.resolve("people.csv");
    Files.writeString(file, "id,zip,amount,big,vip,note\n"
        + "1,01067,12.50,123456789012345678901234567890,true,\n"
        + "2,10115,0.1,7,false,\"has, comma\"\n"
        + "3,1,2,3,4,5,6\n");

    Sink sink = read(connector(file, FileFormat.CSV, "id"), null);

    assertThat(sink.records).hasSize(2);
    ObjectNode first = sink.records.get(0).data();
    assertThat(first.get("id").isIntegralNumber()).isTrue();
    assertThat(first.get("zip").asText()).isEqualTo("01067");
    assertThat(first.get("zip").isTextual()).isTrue();
    assertThat(first.get("amount").decimalValue()).isEqualByComparingTo(new BigDecimal("12.50"));
    assertThat(first.get("big").bigIntegerValue().toString()).isEqualTo("123456789012345678901234567890");
    assertThat(first.get("vip").asBoolean()).isTrue();
    assertThat(first.get("note").isNull()).isTrue();
    assertThat(sink.records.get(1).data().get("note").asText()).isEqualTo("has, comma");
    assertThat(sink.rejected).singleElement().asString()
        .startsWith("people.csv:4 | row has 7 cells but the header has 6 columns");
  }

  @Test
  void csvAndJsonArrayResumeBySkippingConsumedRecords() throws Exception {
    Path csv = dir.resolve("a.csv");
    Files.writeString(csv, "id,v\n1,a\n2,b\n3,c\n");
    FileConnector c = connector(csv, FileFormat.CSV, "id");
    Sink all = read(c, null);
    assertThat(read(c, all.checkpoints.get(0)).records).extracting(Record::key).containsExactly("3");

    Path json = dir.resolve("a.json");
    Files.writeString(json, "[{\"id\":\"x\"},{\"id\":\"y\"},{\"id\":\"z\"}]");
    FileConnector j = connector(json, FileFormat.JSON, "id");
    Sink allJson = read(j, null);
    assertThat(allJson.records).extracting(Record::key).containsExactly("x", "y", "z");
    assertThat(read(j, allJson.checkpoints.get(0)).records).extracting(Record::key).containsExactly("z");
  }

  @Test
  void gzipFilesAreReadAndResumed() throws Exception {
    Path file = dir.resolve("orders.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      for (int i = 1; i <= 5; i++) {
        out.write(("{\"id\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    FileConnector c = connector(file, FileFormat.fromFileName(file.toString()), "id");
    Sink all = read(c, null);
    assertThat(all.records).hasSize(5);
    assertThat(all.checkpoints.get(0).state().has("offset")).as("no byte offsets into compressed data").isFalse();
    assertThat(read(c, all.checkpoints.get(1)).records).extracting(Record::key).containsExactly("5");
  }

  @Test
  void nestedKeyPathsAndFailOnMalformed() throws Exception {
    Path file = dir.resolve("x.jsonl");
    Files.writeString(file, "{\"customer\":{\"id\":\"c-1\"}}\nnot json\n");
    FileConnector strict = new FileConnector(file, FileFormat.JSONL, "$.customer.id", 10, ',', true,
        FileConnector.OnMalformed.FAIL, mapper);
    Sink sink = new Sink();
    assertThatThrownBy(() -> strict.read(CONTEXT, null, sink))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("x.jsonl:2: not valid JSON");
    assertThat(sink.records).extracting(Record::key).containsExactly("c-1");
  }

  @Test
  void aMissingFileIsAClearError() {
    FileConnector c = connector(dir.resolve("nope.jsonl"), FileFormat.JSONL, null);
    assertThatThrownBy(() -> read(c, null)).hasMessageContaining("nope.jsonl");
  }

  @Test
  void formatComesFromTheFileName() {
    assertThat(FileFormat.fromFileName("a.ndjson")).isEqualTo(FileFormat.JSONL);
    assertThat(FileFormat.fromFileName("A.CSV.GZ")).isEqualTo(FileFormat.CSV);
    assertThat(FileFormat.fromFileName("a.json")).isEqualTo(FileFormat.JSON);
    assertThat(FileFormat.fromFileName("a.txt")).isNull();
  }
}

package ${package};

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Appends records to a JSON Lines ledger: {@code {"idempotencyKey":..,"key":..,"data":{..}}} per
 * line. A record whose idempotency key is in the ledger already is skipped, so a retried or
 * replayed batch leaves each record once (the keys are read back from the file when the
 * destination is created, so this holds across restarts).
 *
 * <p>Failure classification: an I/O failure (disk full, folder gone) is retryable; nothing in a
 * record can make it unacceptable (any JSON is written). Thread-safe: {@code deliver} may be
 * called from several threads at once and serializes its writes.
 */
final class ${classPrefix}Destination implements Destination {
  private final Path ledger;
  private final ObjectMapper json;
  private Set<String> written;

  ${classPrefix}Destination(Path ledger, ObjectMapper json) {
    this.ledger = ledger;
    this.json = json;
  }

  @Override
  public synchronized DeliveryResult deliver(Batch batch) throws Exception {
    try {
      Set<String> seen = written();
      StringBuilder lines = new StringBuilder();
      Set<String> inThisBatch = new HashSet<>();
      for (int i = 0; i < batch.size(); i++) {
        String key = batch.idempotencyKey(i);
        if (seen.contains(key) || !inThisBatch.add(key)) {
          continue;
        }
        Record r = batch.get(i);
        ObjectNode line = json.createObjectNode();
        line.put("idempotencyKey", key);
        line.put("key", r.key());
        line.set("data", r.data());
        lines.append(json.writeValueAsString(line)).append('\n');
      }
      if (lines.length() > 0) {
        try (BufferedWriter out = Files.newBufferedWriter(ledger, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
          out.write(lines.toString());
        }
      }
      seen.addAll(inThisBatch);
      return DeliveryResult.success();
    } catch (IOException e) {
      written = null; // a write may have half-succeeded: read the keys back from the file next time
      // The disk or folder may come back: retryable. The message names the file, never a secret.
      throw DeliveryException.retryable("writing the ${pluginType} ledger " + ledger + " failed: " + e, e);
    }
  }

  private Set<String> written() throws IOException {
    if (written == null) {
      Set<String> keys = new HashSet<>();
      if (Files.exists(ledger)) {
        for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            keys.add(json.readTree(line).path("idempotencyKey").asText());
          }
        }
      }
      written = keys;
    }
    return written;
  }

  /** What the ledger holds, in order: each line's {@code data}. For tests and the curious. */
  static List<ObjectNode> readLedger(Path ledger, ObjectMapper json) throws IOException {
    if (!Files.exists(ledger)) {
      return List.of();
    }
    return Files.readAllLines(ledger, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank())
        .map(l -> {
          try {
            JsonNode n = json.readTree(l);
            return (ObjectNode) n.get("data");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        })
        .toList();
  }
}

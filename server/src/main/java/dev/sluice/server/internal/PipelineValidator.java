package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Validates configuration text and pipeline documents with the same loader the CLI's {@code sluice
 * validate} uses, so the problems read the same: {@code file:line:column /pointer: message}.
 */
public final class PipelineValidator {
  private final ConfigLoader loader;

  public PipelineValidator(ConfigLoader loader) {
    this.loader = loader;
  }

  /**
   * Validates a whole configuration file's text (YAML or JSON).
   *
   * @param fileName the name problems carry, e.g. {@code sluice.yaml}
   */
  public List<ConfigProblem> validateText(String fileName, String text) {
    int fileRef = text.indexOf("${file:");
    if (fileRef >= 0) {
      // The server does not read its own files on a caller's behalf (that would tell who can
      // validate which files exist and what they hold).
      int line = 1 + (int) text.substring(0, fileRef).chars().filter(ch -> ch == '\n').count();
      return List.of(new ConfigProblem(fileName, line, 0, "", "${file:…} references are not resolved by the REST"
          + " API; validate this file with `sluice validate` on the machine that has the files"));
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("sluice-validate");
      Path file = dir.resolve(fileName.endsWith(".json") ? "config.json" : "config.yaml");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return loader.validate(List.of(file)).stream()
          .map(p -> new ConfigProblem(p.file() == null ? null : fileName, p.line(), p.column(), p.pointer(), p.message()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the configuration to validate to a temporary file", e);
    } finally {
      delete(dir);
    }
  }

  /**
   * Validates one pipeline document: it is placed in a configuration with the destinations it may
   * use ({@code destinations}: name to definition), and only problems of the pipeline are reported.
   */
  public List<ConfigProblem> validatePipeline(String name, ObjectNode spec, ObjectNode destinations) {
    ObjectNode config = JsonNodeFactory.instance.objectNode();
    config.set("destinations", destinations);
    config.putObject("pipelines").set(name, spec);
    String text;
    try {
      text = JsonBodies.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String prefix = "/pipelines/" + name.replace("~", "~0").replace("/", "~1");
    return validateText("pipelines/" + name + ".json", text).stream()
        .filter(p -> p.pointer().equals(prefix) || p.pointer().startsWith(prefix + "/"))
        .toList();
  }

  /** Problems as JSON: each with file, line, column, pointer, message and the CLI's one-line text. */
  public static ArrayNode toJson(List<ConfigProblem> problems) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (ConfigProblem p : problems) {
      ObjectNode n = a.addObject();
      if (p.file() != null) {
        n.put("file", p.file());
      }
      n.put("line", p.line());
      n.put("column", p.column());
      n.put("pointer", p.pointer());
      n.put("message", p.message());
      n.put("text", p.toString());
    }
    return a;
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory; the OS cleans it eventually
    }
  }
}

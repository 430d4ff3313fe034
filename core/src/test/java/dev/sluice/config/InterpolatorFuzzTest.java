package dev.sluice.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ${env:..}} and {@code ${secret:..}} interpolation of arbitrary configuration text with
 * arbitrary variables and secrets: each value either interpolates or is reported as a {@link
 * ConfigProblem} (which the loader turns into an {@link InvalidConfigException}); nothing throws,
 * and no problem message shows a secret's value.
 *
 * <p>{@code ${file:..}} is left out: it reads the named file, and a fuzzer must not read {@code
 * /dev/zero} or block on {@code /dev/stdin}.
 *
 * <p>The default test run replays the committed corpus in {@code InterpolatorFuzzTestInputs/};
 * the build's {@code fuzz} execution fuzzes for {@code maxDuration}.
 */
class InterpolatorFuzzTest {
  /** The fixed text of {@link Interpolator}'s problem messages. */
  private static final List<String> MESSAGE_WORDING = List.of(
      "unknown variable ${} (expected ${env:NAME}, ${env:NAME:-default}, ${file:path} or ${secret:name})",
      " names no secret (write ${secret:name})", " names no variable (write ${env:NAME})",
      " names no file (write ${file:path})", " is not set (set it, or give a default: ${env:", ":-value})",
      " (it holds none; add one with: sluice secret set ", "' in the store", " (known: ...)",
      "' next to the configuration file (", ": can't read '", ": environment variable ", ": no secret named '",
      "unresolved ");

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @FuzzTest(maxDuration = "30s")
  void interpolatesOrReportsAProblem(FuzzedDataProvider data) {
    Map<String, String> env = new HashMap<>();
    Map<String, String> secrets = new HashMap<>();
    int variables = data.consumeInt(0, 4);
    for (int i = 0; i < variables; i++) {
      boolean secret = data.consumeBoolean();
      String name = data.consumeString(12);
      String value = data.consumeString(40);
      (secret ? secrets : env).put(name, value);
    }
    String text = data.consumeRemainingAsString();
    if (text.contains("${file:")) {
      return;
    }
    ObjectNode root = F.objectNode();
    root.put("value", text);
    root.putArray("list").add(text).add(1);
    root.putObject("nested").put("inner", text);
    Interpolator.SecretLookup lookup = new Interpolator.SecretLookup() {
      @Override
      public Optional<String> find(String name) {
        return Optional.ofNullable(secrets.get(name));
      }

      @Override
      public List<String> names() {
        return secrets.keySet().stream().sorted().toList();
      }
    };
    List<ConfigProblem> problems = new ArrayList<>();
    Set<String> sensitive = new HashSet<>();

    // First pass without the store (as the loader does), then the secrets.
    Interpolator firstPass = new Interpolator(env::get, null, Map.of(), problems, sensitive);
    firstPass.apply(root, "");
    Set<String> pending = firstPass.deferred();
    for (String pointer : pending) {
      if (!root.at(pointer).isTextual() || !text.equals(root.at(pointer).textValue())) {
        throw new AssertionError("a deferred value was changed by the first pass: " + root.at(pointer));
      }
    }
    new Interpolator(env::get, lookup, Map.of(), problems, sensitive).applyToPending(root, pending);

    // Text a message may legitimately quote: the configuration itself, secret names, env values.
    // And the messages' own wording: a secret whose value is, say, " ${secret" shows up in "write
    // ${secret:name}" by coincidence, not by leaking (a fuzz finding of the CI run of d4692c9).
    String quotable = text + "\n" + String.join(", ", lookup.names()) + "\n" + String.join("\n", env.values())
        + "\n" + String.join("\n", env.keySet()) + "\n" + String.join("\n", MESSAGE_WORDING);
    for (ConfigProblem p : problems) {
      if (p.pointer() == null || p.message() == null || p.message().isBlank()) {
        throw new AssertionError("a problem without pointer or message: " + p);
      }
      for (String value : secrets.values()) {
        // Only a distinctive value counts: short ones occur in any message by chance.
        if (value.length() >= 8 && !quotable.contains(value) && p.message().contains(value)) {
          throw new AssertionError("problem message shows a secret's value: " + p);
        }
      }
    }
    if (root.get("list").get(1).intValue() != 1) {
      throw new AssertionError("a non-text value changed: " + root);
    }
  }
}

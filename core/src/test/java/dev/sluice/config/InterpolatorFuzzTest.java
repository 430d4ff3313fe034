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
    List<String> messages = interpolate(text, env, secrets);
    // The messages may quote the configuration, secret names and env values, never a secret's value:
    // with every secret's value replaced (names kept, empty stays empty), they must read the same.
    // (A substring check gave false alarms: a value such as "${secret" or "} (expected" also occurs
    // in the messages' own wording; fuzz findings of the CI runs of d4692c9 and d75d36e.)
    Map<String, String> otherValues = new HashMap<>();
    int n = 0;
    for (Map.Entry<String, String> e : secrets.entrySet()) {
      otherValues.put(e.getKey(), e.getValue().isEmpty() ? "" : "<other value " + n++ + ">");
    }
    List<String> withOtherValues = interpolate(text, env, otherValues);
    if (!messages.equals(withOtherValues)) {
      throw new AssertionError("problem messages depend on secret values: " + messages + " vs " + withOtherValues);
    }
  }

  /** Both passes as the loader runs them; the problem messages, after checking the invariants. */
  private static List<String> interpolate(String text, Map<String, String> env, Map<String, String> secrets) {
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

    List<String> messages = new ArrayList<>();
    for (ConfigProblem p : problems) {
      if (p.pointer() == null || p.message() == null || p.message().isBlank()) {
        throw new AssertionError("a problem without pointer or message: " + p);
      }
      messages.add(p.pointer() + " " + p.message());
    }
    if (root.get("list").get(1).intValue() != 1) {
      throw new AssertionError("a non-text value changed: " + root);
    }
    return messages;
  }
}

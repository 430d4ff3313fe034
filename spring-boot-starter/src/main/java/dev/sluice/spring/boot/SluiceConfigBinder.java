package dev.sluice.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.InvalidConfigException;
import dev.sluice.config.LoadedConfig;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.Resource;

/**
 * Reads the Sluice configuration model from a Spring {@link ConfigurableEnvironment} (every
 * {@code sluice.*} property but the starter's own, see {@link SluiceProperties}) into a JSON tree,
 * and loads it with core's {@link ConfigLoader} together with the files of {@code
 * sluice.config-location}: the same schema, semantic checks, {@code ${env:…}}/{@code
 * ${file:…}}/{@code ${secret:…}} variables and definitions as a Sluice YAML file. Problems are
 * reported against the property that caused them (and its origin, e.g. {@code application.yaml}
 * line and column).
 *
 * <p>Top-level keys other than the model's ({@code store}, {@code secrets}, {@code destinations},
 * {@code pipelines}, {@code cluster}, {@code server}, {@code auth}) and the starter's are problems,
 * except in environment variables and system properties, where they are ignored ({@code
 * SLUICE_MASTER_KEY} reads as {@code sluice.master.key}).
 *
 * <p>Values: YAML keeps its types; in sources where everything is text (properties files,
 * environment variables, system properties, the command line) a value that reads as an integer, a
 * decimal or {@code true}/{@code false} takes that type. Spring placeholders ({@code ${name}}) are
 * resolved by Spring; Sluice's own variables ({@code ${env:…}}, {@code ${file:…}}, {@code
 * ${secret:…}}, {@code $${}) are left to Sluice.
 *
 * <p>Package-private machinery of the auto-configuration. Not thread-safe; one per load.
 */
final class SluiceConfigBinder {
  /** The starter's own keys under {@code sluice.} (uniform form), which are not part of the model. */
  static final Set<String> STARTER_KEYS = Set.of("enabled", "configlocation", "autostartup", "shutdowntimeout",
      "webhooks");

  /** The top-level keys of the Sluice model. */
  static final Set<String> MODEL_KEYS = Set.of("store", "secrets", "destinations", "pipelines", "cluster", "server",
      "auth");

  private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of(SluiceProperties.PREFIX);
  private static final Pattern SLUICE_VARIABLE = Pattern.compile("\\$\\$\\{|\\$\\{(?:env|file|secret):[^}]*}");
  private static final Pattern UNRESOLVED = Pattern.compile("Could not resolve placeholder '([^']*)'");
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
  private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]*)\\.[0-9]+");
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where a value of the tree came from. */
  record Site(String property, Origin origin) {
    String describe() {
      return origin == null ? property : property + " (" + origin + ")";
    }
  }

  private final ConfigurableEnvironment environment;
  private final List<String> problems = new ArrayList<>();
  /** Property and origin of every node of the tree, by JSON pointer. */
  private final Map<String, Site> sites = new HashMap<>();
  private ObjectNode tree;

  SluiceConfigBinder(ConfigurableEnvironment environment) {
    this.environment = environment;
  }

  /** The model read from the environment (computed once). */
  ObjectNode tree() {
    if (tree == null) {
      tree = bind();
    }
    return tree;
  }

  /** Problems met while reading the properties (conflicting or unresolvable values). */
  List<String> bindProblems() {
    tree();
    return problems;
  }

  /**
   * Whether the effective configuration names a store: the properties, or one of the files.
   *
   * @throws SluiceConfigurationException when a file can't be read or parsed
   */
  boolean namesStore(List<Resource> files) {
    if (tree().has("store")) {
      return true;
    }
    for (Resource r : files) {
      try (InputStream in = r.getInputStream()) {
        JsonNode n = new ObjectMapper(new YAMLFactory()).readTree(in);
        if (n != null && n.has("store")) {
          return true;
        }
      } catch (IOException e) {
        return false; // the loader reports it, with the file
      }
    }
    return false;
  }

  /**
   * Loads the files of {@code sluice.config-location} and then the properties (which win), and
   * opens the store.
   *
   * @param extra settings merged over everything (e.g. the store the starter picks), or null
   * @throws SluiceConfigurationException listing every problem
   */
  LoadedConfig load(ConfigLoader loader, List<Resource> locations, ObjectNode extra) {
    ObjectNode inline = tree().deepCopy();
    if (extra != null) {
      extra.properties().forEach(e -> inline.set(e.getKey(), e.getValue()));
    }
    if (!problems.isEmpty()) {
      throw new SluiceConfigurationException(problems, null);
    }
    List<Path> temporary = new ArrayList<>();
    Map<String, String> copies = new HashMap<>();
    try {
      List<Path> files = new ArrayList<>();
      for (Resource r : locations) {
        files.add(file(r, temporary, copies));
      }
      // Files.createTempFile makes the file readable by its owner only (rw------- on POSIX): the
      // properties may hold resolved values such as passwords. Deleted once loaded (below).
      Path properties = Files.createTempFile("sluice-spring-properties-", ".json");
      temporary.add(properties);
      Files.writeString(properties, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(inline),
          StandardCharsets.UTF_8);
      files.add(properties);
      try {
        return loader.load(files);
      } catch (InvalidConfigException e) {
        List<String> lines = new ArrayList<>();
        for (ConfigProblem p : e.problems()) {
          lines.add(describe(p, properties.toString(), copies));
        }
        throw new SluiceConfigurationException(lines, null);
      }
    } catch (IOException e) {
      throw new SluiceConfigurationException(List.of("can't prepare the configuration: " + e.getMessage()), e);
    } finally {
      for (Path p : temporary) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // a temp file left behind is removed with the temp folder
        }
      }
    }
  }

  /** A problem, named by property when it is in the properties, else by file as core reports it. */
  private String describe(ConfigProblem p, String propertiesFile, Map<String, String> copies) {
    if (propertiesFile.equals(p.file()) || p.file() == null && sites.containsKey(p.pointer())) {
      return site(p.pointer()).describe() + ": " + p.message();
    }
    String original = p.file() == null ? null : copies.get(p.file());
    if (original != null) {
      return original + ":" + p.line() + ":" + p.column() + " " + (p.pointer().isEmpty() ? "/" : p.pointer())
          + ": " + p.message();
    }
    return p.toString();
  }

  /** The site of a pointer, or of its nearest ancestor that has one. */
  private Site site(String pointer) {
    String at = pointer;
    while (true) {
      Site s = sites.get(at);
      if (s != null) {
        if (at.equals(pointer)) {
          return s;
        }
        StringBuilder property = new StringBuilder(s.property);
        for (String segment : pointer.substring(at.length() + 1).split("/")) {
          property.append(segment.matches("[0-9]+") ? "[" + segment + "]" : "." + unescape(segment));
        }
        return new Site(property.toString(), s.origin);
      }
      if (at.isEmpty()) {
        return new Site(SluiceProperties.PREFIX, null);
      }
      at = at.substring(0, at.lastIndexOf('/'));
    }
  }

  private static String unescape(String s) {
    return s.replace("~1", "/").replace("~0", "~");
  }

  /** A path for a resource: the file itself, or a private temporary copy (a class path entry in a jar). */
  private static Path file(Resource r, List<Path> temporary, Map<String, String> copies) throws IOException {
    if (r.isFile()) {
      return r.getFile().toPath();
    }
    if (!r.exists()) {
      throw new SluiceConfigurationException(List.of("sluice.config-location: " + r.getDescription()
          + " does not exist"), null);
    }
    String name = r.getFilename() == null ? "sluice.yaml" : r.getFilename();
    String suffix = name.toLowerCase(Locale.ROOT).endsWith(".json") ? ".json" : ".yaml";
    Path copy = Files.createTempFile("sluice-spring-config-", suffix);
    temporary.add(copy);
    try (InputStream in = r.getInputStream()) {
      Files.write(copy, in.readAllBytes());
    }
    copies.put(copy.toString(), r.getDescription());
    return copy;
  }

  // ---- properties -> tree

  /** One node of the property tree while it is built. */
  private static final class Node {
    final Map<String, Node> fields = new LinkedHashMap<>();
    final TreeMap<Integer, Node> items = new TreeMap<>();
    JsonNode value;
    Site site;
  }

  private ObjectNode bind() {
    Map<ConfigurationPropertyName, ConfigurationProperty> properties = new LinkedHashMap<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue;
      }
      iterable.stream().filter(PREFIX::isAncestorOf).forEach(name -> {
        if (!properties.containsKey(name)) {
          ConfigurationProperty p = source.getConfigurationProperty(name);
          if (p != null) {
            properties.put(name, p);
          }
        }
      });
    }
    Node root = new Node();
    root.site = new Site(SluiceProperties.PREFIX, null);
    for (Map.Entry<ConfigurationPropertyName, ConfigurationProperty> e : properties.entrySet()) {
      ConfigurationPropertyName name = e.getKey();
      String top = name.getElement(1, Form.UNIFORM);
      if (STARTER_KEYS.contains(top)) {
        continue;
      }
      if (!MODEL_KEYS.contains(top) && fromProcess(e.getValue())) {
        // SLUICE_MASTER_KEY reads as sluice.master.key, -Dsluice.fuzz.skip as sluice.fuzz.skip: the
        // process's variables and system properties often start with sluice without meaning this.
        continue;
      }
      add(root, name, e.getValue());
    }
    ObjectNode out = F.objectNode();
    JsonNode converted = toJson(root, "", SluiceProperties.PREFIX);
    if (converted instanceof ObjectNode o) {
      out.setAll(o);
    }
    return out;
  }

  private void add(Node root, ConfigurationPropertyName name, ConfigurationProperty property) {
    Node node = root;
    StringBuilder path = new StringBuilder(SluiceProperties.PREFIX);
    for (int i = 1; i < name.getNumberOfElements(); i++) {
      String element = name.getElement(i, Form.ORIGINAL);
      if (name.isNumericIndex(i)) {
        path.append('[').append(element).append(']');
        int index;
        try {
          index = Integer.parseInt(element);
        } catch (NumberFormatException ex) {
          problems.add(path + ": list index " + element + " is too large");
          return;
        }
        node = node.items.computeIfAbsent(index, k -> new Node());
      } else {
        path.append(element.contains(".") ? "[" + element + "]" : "." + element);
        node = node.fields.computeIfAbsent(element, k -> new Node());
      }
      if (node.site == null) {
        node.site = new Site(path.toString(), null);
      }
    }
    Origin origin = property.getOrigin();
    node.site = new Site(path.toString(), origin);
    node.value = value(property.getValue(), origin, path.toString());
  }

  private JsonNode toJson(Node node, String pointer, String property) {
    sites.put(pointer, node.site);
    boolean container = !node.fields.isEmpty() || !node.items.isEmpty();
    if (container && node.value != null && !(node.value.isTextual() && node.value.textValue().isEmpty())) {
      problems.add(node.site.describe() + ": is set to a value and also has nested properties; set one or the other");
    }
    if (!node.fields.isEmpty() && !node.items.isEmpty()) {
      problems.add(node.site.describe() + ": has both list items ([0], [1], ...) and named properties");
    }
    if (!node.items.isEmpty() && node.fields.isEmpty()) {
      ArrayNode a = F.arrayNode();
      int expected = 0;
      for (Map.Entry<Integer, Node> e : node.items.entrySet()) {
        if (e.getKey() != expected) {
          problems.add(node.site.property() + "[" + expected + "]: missing (list items must be numbered 0, 1, 2, ...; found ["
              + e.getKey() + "])");
          break;
        }
        a.add(toJson(e.getValue(), pointer + "/" + expected, property));
        expected++;
      }
      return a;
    }
    if (container) {
      ObjectNode o = F.objectNode();
      node.fields.forEach((k, v) -> o.set(k, toJson(v, pointer + "/" + k.replace("~", "~0").replace("/", "~1"), property)));
      return o;
    }
    return node.value == null ? F.nullNode() : node.value;
  }

  /** A property value as JSON, with Spring placeholders resolved and Sluice variables kept. */
  private JsonNode value(Object raw, Origin origin, String property) {
    if (raw instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
      return F.numberNode(((Number) raw).longValue()).canConvertToInt()
          ? F.numberNode(((Number) raw).intValue()) : F.numberNode(((Number) raw).longValue());
    }
    if (raw instanceof BigInteger b) {
      return F.numberNode(b);
    }
    if (raw instanceof Double || raw instanceof Float) {
      return F.numberNode(new BigDecimal(raw.toString()));
    }
    if (raw instanceof BigDecimal b) {
      return F.numberNode(b);
    }
    String text = raw == null ? "" : raw.toString();
    if (text.contains("${")) {
      text = resolvePlaceholders(text, property);
    }
    if (raw instanceof CharSequence && !typed(origin)) {
      if (text.equals("true") || text.equals("false")) {
        return F.booleanNode(Boolean.parseBoolean(text));
      }
      if (INTEGER.matcher(text).matches()) {
        long l = Long.parseLong(text);
        return l == (int) l ? F.numberNode((int) l) : F.numberNode(l);
      }
      if (DECIMAL.matcher(text).matches()) {
        return F.numberNode(new BigDecimal(text));
      }
    }
    return F.textNode(text);
  }

  /** Whether a property comes from the environment variables or the system properties. */
  private static boolean fromProcess(ConfigurationProperty property) {
    Object source = property.getSource() == null ? null : property.getSource().getUnderlyingSource();
    return source instanceof SystemEnvironmentPropertySource
        || source instanceof PropertySource<?> ps
            && StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(ps.getName());
  }

  /** Whether the value came from a source that keeps types (YAML). */
  private static boolean typed(Origin origin) {
    for (Origin o = origin; o != null; o = o.getParent()) {
      if (o instanceof TextResourceOrigin t && t.getResource() != null && t.getResource().getFilename() != null) {
        String f = t.getResource().getFilename().toLowerCase(Locale.ROOT);
        return f.endsWith(".yaml") || f.endsWith(".yml");
      }
    }
    return false;
  }

  private String resolvePlaceholders(String text, String property) {
    List<String> kept = new ArrayList<>();
    Matcher m = SLUICE_VARIABLE.matcher(text);
    StringBuilder protectedText = new StringBuilder();
    while (m.find()) {
      kept.add(m.group());
      m.appendReplacement(protectedText, Matcher.quoteReplacement("\u0001" + (kept.size() - 1) + "\u0002"));
    }
    m.appendTail(protectedText);
    String resolved;
    try {
      resolved = environment.resolveRequiredPlaceholders(protectedText.toString());
    } catch (IllegalArgumentException e) {
      Matcher u = UNRESOLVED.matcher(String.valueOf(e.getMessage()));
      problems.add(property + ": the Spring placeholder " + (u.find() ? "${" + u.group(1) + "} " : "")
          + "can't be resolved (Sluice's own variables are ${env:NAME}, ${file:path} and ${secret:name})");
      return text;
    }
    for (int i = 0; i < kept.size(); i++) {
      resolved = resolved.replace("\u0001" + i + "\u0002", kept.get(i));
    }
    return resolved;
  }
}

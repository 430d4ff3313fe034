package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jdbc.internal.Migrations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/development/database_schema.md describes every table and column the migrations of every
 * dialect create.
 */
class DatabaseSchemaDocTest {
  private static final Path MIGRATIONS = Path.of("src/main/resources", Migrations.ROOT);
  private static final Path DOC = Path.of("../docs/development/database_schema.md");
  private static final Pattern CREATE_TABLE =
      Pattern.compile("(?i)create\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?(\\w+)\\s*\\(");
  private static final Pattern ADD_COLUMN =
      Pattern.compile("(?i)alter\\s+table\\s+(\\w+)\\s+add\\s+(?:column\\s+)?(\\w+)");
  private static final Set<String> NOT_COLUMNS = Set.of("primary", "index", "key", "unique", "constraint", "foreign");

  @Test
  void everyTableAndColumnOfEveryMigrationIsDocumented() throws IOException {
    Map<String, List<String>> tables = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(MIGRATIONS)) {
      files = walk.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
    }
    assertThat(files).as("migrations of the common and the three dialect folders").hasSize(12);
    for (Path file : files) {
      String sql = Files.readString(file);
      tables.putAll(createdTables(sql));
      addedColumns(sql).forEach((table, columns) ->
          tables.computeIfAbsent(table, t -> new ArrayList<>()).addAll(columns));
    }
    assertThat(tables).as("tables found by the parser").hasSizeGreaterThanOrEqualTo(10);

    String doc = Files.readString(DOC);
    List<String> missing = new ArrayList<>();
    tables.forEach((table, columns) -> {
      String section = section(doc, table);
      if (section == null) {
        missing.add("table " + table);
        return;
      }
      for (String column : columns) {
        if (!section.contains("`" + column + "`")) {
          missing.add("column " + table + "." + column);
        }
      }
    });
    assertThat(missing).as("add these to " + DOC.normalize()).isEmpty();
  }

  /** Table name to column names, for each CREATE TABLE in {@code sql}. */
  static Map<String, List<String>> createdTables(String sql) {
    String noComments = sql.replaceAll("--[^\\n]*", "");
    Map<String, List<String>> out = new LinkedHashMap<>();
    Matcher m = CREATE_TABLE.matcher(noComments);
    while (m.find()) {
      int depth = 1;
      int i = m.end();
      int start = i;
      List<String> parts = new ArrayList<>();
      for (; i < noComments.length() && depth > 0; i++) {
        char ch = noComments.charAt(i);
        if (ch == '(') {
          depth++;
        } else if (ch == ')') {
          depth--;
        }
        if ((ch == ',' && depth == 1) || depth == 0) {
          parts.add(noComments.substring(start, i).trim());
          start = i + 1;
        }
      }
      List<String> columns = new ArrayList<>();
      for (String part : parts) {
        String first = part.split("\\s+")[0].toLowerCase(Locale.ROOT);
        if (!first.isEmpty() && !NOT_COLUMNS.contains(first)) {
          columns.add(first);
        }
      }
      out.put(m.group(1).toLowerCase(Locale.ROOT), columns);
    }
    return out;
  }

  /** Table name to the columns each ALTER TABLE ... ADD [COLUMN] in {@code sql} adds. */
  static Map<String, List<String>> addedColumns(String sql) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    Matcher m = ADD_COLUMN.matcher(sql.replaceAll("--[^\\n]*", ""));
    while (m.find()) {
      out.computeIfAbsent(m.group(1).toLowerCase(Locale.ROOT), t -> new ArrayList<>())
          .add(m.group(2).toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private static String section(String doc, String table) {
    int start = doc.indexOf("\n### " + table + "\n");
    if (start < 0) {
      return null;
    }
    int end = doc.indexOf("\n### ", start + 1);
    return end < 0 ? doc.substring(start) : doc.substring(start, end);
  }

  @Test
  void theParserSeesTablesAndColumns() {
    Map<String, List<String>> parsed = createdTables(
        "-- c\nCREATE TABLE IF NOT EXISTS a (x INT NOT NULL, y NUMERIC(10, 2), PRIMARY KEY (x),\n"
            + " INDEX i (y desc));\ncreate table b (\n z ${text}\n);");
    assertThat(parsed).containsOnlyKeys("a", "b");
    assertThat(parsed.get("a")).containsExactly("x", "y");
    assertThat(parsed.get("b")).containsExactly("z");
    assertThat(addedColumns("-- ALTER TABLE no ADD COLUMN x\nALTER TABLE a ADD COLUMN w BIGINT;\nalter table b add v INT;"))
        .containsExactly(Map.entry("a", List.of("w")), Map.entry("b", List.of("v")));
  }
}

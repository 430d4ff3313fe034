package dev.sluice.connectors.file;

import java.util.Locale;

/** The file formats the built-in file connector and destination understand. */
public enum FileFormat {
  /** One JSON object per line (also called NDJSON). */
  JSONL,
  /** One JSON array of objects. Read only. */
  JSON,
  /** Comma-separated values with a header row. */
  CSV;

  /**
   * The format a file name suggests: {@code .jsonl}/{@code .ndjson}, {@code .json}, {@code .csv},
   * each optionally followed by {@code .gz}.
   *
   * @param name a file name
   * @return null when the name does not tell
   */
  public static FileFormat fromFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".gz")) {
      n = n.substring(0, n.length() - 3);
    }
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
      return JSONL;
    }
    if (n.endsWith(".json")) {
      return JSON;
    }
    if (n.endsWith(".csv")) {
      return CSV;
    }
    return null;
  }

  /**
   * Whether the name ends in {@code .gz}.
   *
   * @param name a file name
   * @return true for a gzip-compressed file
   */
  public static boolean isGzip(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".gz");
  }
}

package dev.sluice.config;

import java.util.Map;

/** Finds where a pointer is written, falling back to the nearest enclosing value. */
final class Locations {
  private Locations() {}

  static LocatedTree.Location find(Map<String, LocatedTree.Location> locations, String pointer) {
    String p = pointer;
    while (true) {
      LocatedTree.Location l = locations.get(p);
      if (l != null || p.isEmpty()) {
        return l;
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
  }

  static ConfigProblem problem(Map<String, LocatedTree.Location> locations, String pointer, String message) {
    LocatedTree.Location l = find(locations, pointer);
    return l == null
        ? new ConfigProblem(null, 0, 0, pointer, message)
        : new ConfigProblem(l.file(), l.line(), l.column(), pointer, message);
  }
}

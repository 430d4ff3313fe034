package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks a module's public API surface: no type from a package named {@code internal} may appear
 * in a public or protected signature (method parameters, return types, exceptions, fields, super
 * types, record components, type bounds) of a public type outside such packages. This is what
 * lets Sluice change its internals without breaking plugins.
 *
 * <pre>{@code
 * @Test
 * void publicApiShowsNoInternals() {
 *   assertThat(ApiBoundary.leaks(MyProvider.class)).isEmpty();
 * }
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class ApiBoundary {
  private ApiBoundary() {}

  /**
   * Every leak in the classes directory or jar that {@code anchor} was loaded from: one line per
   * member, naming the member and the internal type it shows. Empty when the API is clean.
   *
   * @param anchor any class of the module to check
   * @return the leaks, one line each; empty when there are none
   * @throws UncheckedIOException when the classes can't be listed
   */
  public static List<String> leaks(Class<?> anchor) {
    Path root;
    try {
      root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("can't locate the classes of " + anchor, e);
    }
    List<String> out = new ArrayList<>();
    for (String name : classNames(root)) {
      Class<?> type;
      try {
        type = Class.forName(name, false, anchor.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("can't load " + name + " from " + root, e);
      }
      out.addAll(leaksOf(type));
    }
    return out;
  }

  /** The leaks of one type (see {@link #leaks(Class)}); empty for internal or non-public types. */
  static List<String> leaksOf(Class<?> type) {
    if (!isApi(type)) {
      return List.of();
    }
    Set<String> out = new TreeSet<>();
    String owner = type.getName();
    check(out, owner + " extends", type.getGenericSuperclass());
    for (Type t : type.getGenericInterfaces()) {
      check(out, owner + " implements", t);
    }
    for (TypeVariable<?> v : type.getTypeParameters()) {
      for (Type b : v.getBounds()) {
        check(out, owner + "<" + v.getName() + ">", b);
      }
    }
    if (type.isRecord()) {
      for (RecordComponent c : type.getRecordComponents()) {
        check(out, owner + "." + c.getName(), c.getGenericType());
      }
    }
    for (Field f : type.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) {
        check(out, owner + "." + f.getName(), f.getGenericType());
      }
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (visible(c.getModifiers()) && !c.isSynthetic() && !(type.isEnum())) {
        checkExecutable(out, owner + "(constructor)", c);
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        checkExecutable(out, owner + "." + m.getName() + "()", m);
        check(out, owner + "." + m.getName() + "() returns", m.getGenericReturnType());
      }
    }
    return List.copyOf(out);
  }

  private static void checkExecutable(Set<String> out, String where, Executable e) {
    for (Type p : e.getGenericParameterTypes()) {
      check(out, where + " takes", p);
    }
    for (Type x : e.getGenericExceptionTypes()) {
      check(out, where + " throws", x);
    }
    for (TypeVariable<?> v : e.getTypeParameters()) {
      for (Type b : v.getBounds()) {
        check(out, where + " <" + v.getName() + ">", b);
      }
    }
  }

  private static void check(Set<String> out, String where, Type type) {
    if (type == null) {
      return;
    }
    if (type instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (isInternal(c)) {
        out.add(where + " " + c.getName());
      }
    } else if (type instanceof ParameterizedType p) {
      check(out, where, p.getRawType());
      for (Type a : p.getActualTypeArguments()) {
        check(out, where, a);
      }
    } else if (type instanceof GenericArrayType g) {
      check(out, where, g.getGenericComponentType());
    } else if (type instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        check(out, where, b);
      }
      for (Type b : w.getLowerBounds()) {
        check(out, where, b);
      }
    }
    // Type variables are checked where they are declared.
  }

  private static boolean isApi(Class<?> type) {
    if (isInternal(type) || type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
      return false;
    }
    for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
      if (!Modifier.isPublic(c.getModifiers())
          && !(c != type && Modifier.isProtected(c.getModifiers()))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isInternal(Class<?> type) {
    String pkg = type.getPackageName();
    return pkg.endsWith(".internal") || pkg.contains(".internal.");
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static List<String> classNames(Path root) {
    if (!Files.isDirectory(root)) {
      try (var zip = new java.util.zip.ZipFile(root.toFile())) {
        return zip.stream()
            .map(java.util.zip.ZipEntry::getName)
            .filter(ApiBoundary::isClassFile)
            .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
            .sorted()
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + root, e);
      }
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(ApiBoundary::isClassFile)
          .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + root, e);
    }
  }

  private static boolean isClassFile(String name) {
    return name.endsWith(".class") && !name.endsWith("module-info.class")
        && !name.endsWith("package-info.class") && !name.startsWith("META-INF/");
  }
}

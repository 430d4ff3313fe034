package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nothing from a package named {@code internal} appears in core's public API: no public or
 * protected member of a public type outside {@code internal} packages takes, returns, throws or
 * extends an internal type (generic arguments included).
 */
class PublicApiTest {

  @Test
  void noInternalTypeInAPublicSignature() throws Exception {
    List<String> leaks = new ArrayList<>();
    List<Class<?>> api = apiClasses();
    assertThat(api).as("public API classes of core").hasSizeGreaterThan(100);
    for (Class<?> c : api) {
      check(c + " extends", c.getGenericSuperclass(), leaks);
      typeParameters(c.getName(), c.getTypeParameters(), leaks);
      for (Type t : c.getGenericInterfaces()) {
        check(c + " implements", t, leaks);
      }
      for (Field f : c.getDeclaredFields()) {
        if (visible(f.getModifiers())) {
          check(c.getName() + "." + f.getName(), f.getGenericType(), leaks);
        }
      }
      List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        members.add(k);
      }
      for (Executable m : members) {
        if (!visible(m.getModifiers()) || m.isSynthetic()) {
          continue;
        }
        String where = c.getName() + "#" + m.getName();
        typeParameters(where, m.getTypeParameters(), leaks);
        if (m instanceof Method method) {
          check(where + " returns", method.getGenericReturnType(), leaks);
        }
        for (Type p : m.getGenericParameterTypes()) {
          check(where + " takes", p, leaks);
        }
        for (Type e : m.getGenericExceptionTypes()) {
          check(where + " throws", e, leaks);
        }
      }
    }
    assertThat(leaks).as("internal types in the public API").isEmpty();
  }

  private static void typeParameters(String where, TypeVariable<?>[] variables, List<String> leaks) {
    for (TypeVariable<?> v : variables) {
      for (Type bound : v.getBounds()) {
        if (bound instanceof ParameterizedType p) {
          check(where + " bounds " + v.getName() + " by", p.getRawType(), leaks);
        } else {
          check(where + " bounds " + v.getName() + " by", bound, leaks);
        }
      }
    }
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void check(String where, Type type, List<String> leaks) {
    if (type == null) {
      return;
    }
    if (type instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (c.getName().contains(".internal.")) {
        leaks.add(where + " " + c.getName());
      }
    } else if (type instanceof ParameterizedType p) {
      check(where, p.getRawType(), leaks);
      for (Type a : p.getActualTypeArguments()) {
        check(where, a, leaks);
      }
    } else if (type instanceof GenericArrayType g) {
      check(where, g.getGenericComponentType(), leaks);
    } else if (type instanceof WildcardType w) {
      Stream.of(w.getUpperBounds()).forEach(b -> check(where, b, leaks));
      Stream.of(w.getLowerBounds()).forEach(b -> check(where, b, leaks));
    }
    // A type variable's bounds are checked where it is declared (see typeParameters), not at each
    // use: bounds such as <T extends Comparable<T>> refer to themselves.
  }

  /** Public (and nested public) classes of core's main output outside internal packages. */
  private static List<Class<?>> apiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(Sluice.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.contains(".internal.") || name.endsWith("package-info") || name.matches(".*\\$\\d.*")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, PublicApiTest.class.getClassLoader());
        if (Modifier.isPublic(c.getModifiers()) && (c.getEnclosingClass() == null
            || Modifier.isPublic(c.getEnclosingClass().getModifiers()))) {
          classes.add(c);
        }
      }
    }
    return classes;
  }
}

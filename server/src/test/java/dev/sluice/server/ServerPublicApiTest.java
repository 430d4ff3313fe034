package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's public types show nothing from {@code dev.sluice.server.internal} or Javalin. */
class ServerPublicApiTest {
  @Test
  void publicSignaturesUseNoInternalOrFrameworkType() {
    List<String> leaks = new ArrayList<>();
    for (Class<?> c : List.of(SluiceServer.class, ServerOptions.class, ServerOptions.Builder.class, RouteInfo.class)) {
      for (Method m : c.getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        List<String> types = new ArrayList<>();
        types.add(m.getGenericReturnType().getTypeName());
        for (var p : m.getGenericParameterTypes()) {
          types.add(p.getTypeName());
        }
        for (String t : types) {
          if (t.contains(".internal.") || t.startsWith("io.javalin") || t.contains("<io.javalin")
              || t.startsWith("org.eclipse.jetty")) {
            leaks.add(c.getSimpleName() + "." + m.getName() + ": " + t);
          }
        }
      }
    }
    assertThat(leaks).isEmpty();
  }
}

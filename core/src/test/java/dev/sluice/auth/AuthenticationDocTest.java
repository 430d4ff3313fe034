package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/user-guide/authentication.md shows what each built-in role may do as a table between two
 * markers; it must be exactly what {@link #rolesTable()} generates from {@link BuiltInRoles}. When
 * this fails, paste the table from the failure message into the document.
 */
class AuthenticationDocTest {
  private static final Path DOC = Path.of("../docs/user-guide/authentication.md");
  private static final String BEGIN = "<!-- roles-table:begin (generated from BuiltInRoles; AuthenticationDocTest checks it) -->\n";
  private static final String END = "<!-- roles-table:end -->";

  static String rolesTable() {
    StringBuilder b = new StringBuilder("| permission | pipeline-scoped | viewer | operator | admin |\n|---|---|---|---|---|\n");
    for (Permission p : Permission.values()) {
      b.append("| `").append(p.id()).append("` | ").append(p.pipelineScoped() ? "yes" : "no");
      for (String role : new String[] {BuiltInRoles.VIEWER, BuiltInRoles.OPERATOR, BuiltInRoles.ADMIN}) {
        b.append(" | ").append(BuiltInRoles.permissionsOf(role).contains(p) ? "✓" : "–");
      }
      b.append(" |\n");
    }
    return b.toString();
  }

  @Test
  void theRolesTableIsGeneratedFromBuiltInRoles() throws Exception {
    String doc = Files.readString(DOC);
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    assertThat(begin).as("%s has the begin marker", DOC).isNotNegative();
    assertThat(end).as("%s has the end marker", DOC).isGreaterThan(begin);
    assertThat(doc.substring(begin + BEGIN.length(), end)).as("the roles table; expected:%n%s", rolesTable())
        .isEqualTo(rolesTable());
  }

  @Test
  void theKeycloakSectionIsThere() throws Exception {
    assertThat(Files.readString(DOC)).contains("\n## Keycloak and other OpenID Connect providers\n")
        .contains("type: keycloak").doesNotContain("TODO");
  }
}

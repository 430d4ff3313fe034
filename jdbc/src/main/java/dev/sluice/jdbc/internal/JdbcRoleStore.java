package dev.sluice.jdbc.internal;

import dev.sluice.store.RoleRecord;
import dev.sluice.store.RoleStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Custom roles in {@code sluice_roles}, grants as a sorted JSON array. Thread-safe. Not API. */
public final class JdbcRoleStore implements RoleStore {
  private static final List<String> COLUMNS = List.of("name", "description", "permission_grants", "updated_at");

  private final Jdbc jdbc;
  private final JsonColumns json;
  private final String upsert;

  public JdbcRoleStore(Jdbc jdbc, JsonColumns json) {
    this.jdbc = jdbc;
    this.json = json;
    this.upsert = jdbc.dialect().upsert("sluice_roles", COLUMNS, COLUMNS.stream().map(c -> "?").toList(),
        List.of("name"));
  }

  @Override
  public void saveRole(RoleRecord role) {
    jdbc.update(() -> "save role '" + role.name() + "'", upsert, role.name(), role.description(),
        json.writeRoles(role.grants()), role.updatedAt());
  }

  @Override
  public Optional<RoleRecord> findRole(String name) {
    return jdbc.queryOne(() -> "find role '" + name + "'", "SELECT * FROM sluice_roles WHERE name = ?", this::map, name);
  }

  @Override
  public List<RoleRecord> listRoles() {
    return jdbc.query(() -> "list roles", "SELECT * FROM sluice_roles", this::map).stream()
        .sorted(Comparator.comparing(RoleRecord::name))
        .toList();
  }

  @Override
  public boolean deleteRole(String name) {
    return jdbc.update(() -> "delete role '" + name + "'", "DELETE FROM sluice_roles WHERE name = ?", name) > 0;
  }

  private RoleRecord map(ResultSet rs) throws SQLException {
    return new RoleRecord(rs.getString("name"), rs.getString("description"),
        json.readRoles(rs.getString("permission_grants")), jdbc.dialect().getInstant(rs, "updated_at"));
  }

  @Override
  public String toString() {
    return "JdbcRoleStore";
  }
}

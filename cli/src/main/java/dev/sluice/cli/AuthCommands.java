package dev.sluice.cli;

import dev.sluice.auth.Actor;
import dev.sluice.auth.ApiKeyInfo;
import dev.sluice.auth.CreatedApiKey;
import dev.sluice.auth.LocalAuth;
import dev.sluice.auth.PasswordPolicyException;
import dev.sluice.auth.PermissionGrant;
import dev.sluice.auth.RoleDefinition;
import dev.sluice.auth.UserInfo;
import dev.sluice.config.ConfigLoader;
import dev.sluice.store.LoginFailures;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice users}, {@code sluice api-keys} and {@code sluice roles}: local authentication
 * administered on the configured store (which needs {@code secrets.key}: the master key also
 * encrypts the token signing keys). Changes are written to the audit log as {@code cli:<os user>}.
 */
final class AuthCommands {
  private AuthCommands() {}

  /** Opens the store and secrets of the configuration and a {@link LocalAuth} on them. */
  static final class Session implements AutoCloseable {
    final ConfigLoader.SecretsAccess access;
    final LocalAuth auth;

    Session(ConfigOptions config) throws Exception {
      this.access = config.loader().openSecrets(config.files());
      try {
        this.auth = LocalAuth.builder(access.store(), access.secrets()).build();
      } catch (RuntimeException e) {
        access.close();
        throw e;
      }
    }

    @Override
    public void close() {
      access.close();
    }
  }

  private static Set<String> roles(List<String> given) {
    Set<String> out = new LinkedHashSet<>();
    for (String r : given) {
      for (String part : r.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    }
    return out;
  }

  private static String when(Instant i) {
    return i == null ? "-" : i.toString();
  }

  // --- users ----------------------------------------------------------------------------------

  @Command(name = "users", mixinStandardHelpOptions = true,
      description = "Manages local users of the REST API and dashboard (needs store and secrets.key).",
      subcommands = {Users.Add.class, Users.ListUsers.class, Users.Passwd.class, Users.Disable.class,
          Users.Enable.class, Users.SetRoles.class, Users.Lockouts.class, Users.Unlock.class})
  static final class Users implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Creates a user. The password is read at the terminal without echo (twice), or from the first",
            "line of standard input when it is not a terminal; never from the command line."})
    static final class Add implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Option(names = {"-r", "--role"}, paramLabel = "ROLE", required = true,
          description = "A role to grant (repeat, or separate with commas): viewer, operator, admin or a custom role.")
      List<String> roles;

      @Override
      public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        char[] password = Passwords.readNew("Password for " + name);
        if (password == null) {
          err.println("sluice: no password given, or the two entries differ (try: printf '%s\\n' \"$PASSWORD\" | sluice users add "
              + name + " --role viewer)");
          return ExitCodes.USAGE;
        }
        try (Session s = new Session(config)) {
          UserInfo u = s.auth.createUser(Actor.cli(), name, password, roles(roles));
          spec.commandLine().getOut().println("created user '" + u.username() + "' with roles " + new TreeSet<>(u.roles()));
          return ExitCodes.OK;
        } catch (PasswordPolicyException | IllegalArgumentException e) {
          err.println("sluice: " + e.getMessage() + "; no user was created");
          return ExitCodes.USAGE;
        } finally {
          Arrays.fill(password, '\0');
        }
      }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists users: roles, enabled, locked after failed logins.")
    static final class ListUsers implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = new Session(config)) {
          List<UserInfo> users = s.auth.users();
          out.printf("%-24s %-28s %-8s %-24s %s%n", "USER", "ROLES", "ENABLED", "LOCKED UNTIL", "CREATED");
          for (UserInfo u : users) {
            out.printf("%-24s %-28s %-8s %-24s %s%n", u.username(), String.join(",", new TreeSet<>(u.roles())),
                u.enabled() ? "yes" : "no", when(u.lockedUntil()), u.createdAt());
          }
        }
        return ExitCodes.OK;
      }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
        description = {"Sets a user's password and ends their sessions. Read at the terminal without echo (twice), or",
            "from the first line of standard input; never from the command line."})
    static final class Passwd implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Override
      public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        char[] password = Passwords.readNew("New password for " + name);
        if (password == null) {
          err.println("sluice: no password given, or the two entries differ; nothing was changed");
          return ExitCodes.USAGE;
        }
        try (Session s = new Session(config)) {
          s.auth.setPassword(Actor.cli(), name, password);
          spec.commandLine().getOut().println("password of user '" + name + "' set; their sessions were ended");
          return ExitCodes.OK;
        } catch (PasswordPolicyException | IllegalArgumentException e) {
          err.println("sluice: " + e.getMessage() + "; nothing was changed");
          return ExitCodes.USAGE;
        } finally {
          Arrays.fill(password, '\0');
        }
      }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
        description = "Disables a user: no logins, their sessions end and their API keys stop working.")
    static final class Disable implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Override
      public Integer call() throws Exception {
        return setEnabled(config, spec, name, false);
      }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables a disabled user again.")
    static final class Enable implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Override
      public Integer call() throws Exception {
        return setEnabled(config, spec, name, true);
      }
    }

    private static int setEnabled(ConfigOptions config, picocli.CommandLine.Model.CommandSpec spec, String name,
        boolean enabled) throws Exception {
      try (Session s = new Session(config)) {
        s.auth.setEnabled(Actor.cli(), name, enabled);
        spec.commandLine().getOut().println((enabled ? "enabled" : "disabled") + " user '" + name + "'");
        return ExitCodes.OK;
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("sluice: " + e.getMessage());
        return ExitCodes.ERROR;
      }
    }

    @Command(name = "roles", mixinStandardHelpOptions = true,
        description = "Shows a user's roles, or replaces them with the ROLEs given (effective at their next login).")
    static final class SetRoles implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Parameters(index = "0", paramLabel = "NAME")
      String name;

      @Parameters(index = "1..*", paramLabel = "ROLE", arity = "0..*")
      List<String> roles = List.of();

      @Override
      public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = new Session(config)) {
          if (roles.isEmpty()) {
            Optional<UserInfo> u = s.auth.user(name);
            if (u.isEmpty()) {
              spec.commandLine().getErr().println("sluice: no user named '" + name + "'");
              return ExitCodes.ERROR;
            }
            out.println(String.join(" ", new TreeSet<>(u.get().roles())));
            return ExitCodes.OK;
          }
          s.auth.setRoles(Actor.cli(), name, roles(roles));
          out.println("roles of user '" + name + "': " + new TreeSet<>(roles(roles)));
          return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
          spec.commandLine().getErr().println("sluice: " + e.getMessage() + "; nothing was changed");
          return ExitCodes.USAGE;
        }
      }
    }

    @Command(name = "lockouts", mixinStandardHelpOptions = true,
        description = "Lists failed-login counts of user names and client addresses, and which are locked.")
    static final class Lockouts implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = new Session(config)) {
          out.printf("%-40s %-9s %-24s %s%n", "SUBJECT", "FAILURES", "SINCE", "LOCKED UNTIL");
          Instant now = Instant.now();
          for (LoginFailures f : s.auth.lockouts()) {
            out.printf("%-40s %-9d %-24s %s%n", f.subject(), f.failures(), f.firstFailureAt(),
                f.lockedAt(now) ? f.lockedUntil().toString() : "-");
          }
        }
        return ExitCodes.OK;
      }
    }

    @Command(name = "unlock", mixinStandardHelpOptions = true,
        description = "Lifts a lock after failed logins: a user NAME, user:NAME or address:IP.")
    static final class Unlock implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Parameters(index = "0", paramLabel = "SUBJECT")
      String subject;

      @Override
      public Integer call() throws Exception {
        try (Session s = new Session(config)) {
          boolean cleared = s.auth.unlock(Actor.cli(), subject);
          spec.commandLine().getOut().println(cleared ? "cleared failed logins of " + subject : "nothing to clear for " + subject);
          return ExitCodes.OK;
        }
      }
    }
  }

  // --- API keys -------------------------------------------------------------------------------

  @Command(name = "api-keys", mixinStandardHelpOptions = true,
      description = "Manages API keys for machine clients (needs store and secrets.key).",
      subcommands = {ApiKeys.Create.class, ApiKeys.ListKeys.class, ApiKeys.Revoke.class})
  static final class ApiKeys implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Creates an API key and prints it once: Sluice keeps only its hash. Send it as X-API-Key: <key>",
            "or Authorization: Bearer <key>."})
    static final class Create implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Option(names = "--name", required = true, paramLabel = "TEXT", description = "What the key is for.")
      String name;

      @Option(names = "--owner", required = true, paramLabel = "NAME", description = "Who the key acts for (a user or a machine client's name).")
      String owner;

      @Option(names = {"-r", "--role"}, paramLabel = "ROLE", required = true,
          description = "A role to grant (repeat, or separate with commas).")
      List<String> roles;

      @Option(names = "--expires", paramLabel = "WHEN",
          description = "When it expires: an ISO instant (2027-01-31T00:00:00Z) or a duration from now (90d, 12h, PT30M). Default: never.")
      String expires;

      @Override
      public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Instant expiresAt;
        try {
          expiresAt = expires == null ? null : expiry(expires, Instant.now());
        } catch (IllegalArgumentException e) {
          err.println("sluice: --expires " + e.getMessage());
          return ExitCodes.USAGE;
        }
        try (Session s = new Session(config)) {
          CreatedApiKey k = s.auth.createApiKey(Actor.cli(), owner, name, roles(roles), expiresAt);
          out.println(k.key());
          err.println("created API key " + k.info().id() + " ('" + name + "', owner " + owner + ", roles "
              + new TreeSet<>(k.info().roles()) + ", expires " + when(expiresAt) + "); the key above is shown only now");
          return ExitCodes.OK;
        } catch (IllegalArgumentException e) {
          err.println("sluice: " + e.getMessage() + "; no key was created");
          return ExitCodes.USAGE;
        }
      }
    }

    /** An ISO instant, or a duration from {@code now}: {@code 90d}, {@code 12h}, {@code 30m} or ISO {@code PT30M}. */
    static Instant expiry(String text, Instant now) {
      String t = text.strip();
      try {
        if (t.matches("[0-9]{1,5}[dhm]")) {
          long n = Long.parseLong(t.substring(0, t.length() - 1));
          Duration d = switch (t.charAt(t.length() - 1)) {
            case 'd' -> Duration.ofDays(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofMinutes(n);
          };
          return now.plus(d);
        }
        if (t.startsWith("P") || t.startsWith("p")) {
          return now.plus(Duration.parse(t));
        }
        return Instant.parse(t);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + text + "' is neither an instant (2027-01-31T00:00:00Z) nor a duration"
            + " (90d, 12h, 30m, PT30M)");
      }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists API keys (never the keys themselves).")
    static final class ListKeys implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Option(names = "--owner", paramLabel = "NAME", description = "Only the keys of this owner.")
      String owner;

      @Override
      public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = new Session(config)) {
          out.printf("%-18s %-20s %-16s %-20s %-8s %-22s %s%n", "ID", "NAME", "OWNER", "ROLES", "STATE", "EXPIRES", "LAST USED");
          Instant now = Instant.now();
          for (ApiKeyInfo k : s.auth.apiKeys(owner)) {
            String state = k.revoked() ? "revoked" : k.activeAt(now) ? "active" : "expired";
            out.printf("%-18s %-20s %-16s %-20s %-8s %-22s %s%n", k.id(), k.name(), k.owner(),
                String.join(",", new TreeSet<>(k.roles())), state, when(k.expiresAt()), when(k.lastUsedAt()));
          }
        }
        return ExitCodes.OK;
      }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revokes an API key by its id (see list).")
    static final class Revoke implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Parameters(index = "0", paramLabel = "ID")
      String id;

      @Override
      public Integer call() throws Exception {
        try (Session s = new Session(config)) {
          if (!s.auth.revokeApiKey(Actor.cli(), id)) {
            spec.commandLine().getErr().println("sluice: no active API key with id '" + id + "'");
            return ExitCodes.ERROR;
          }
          spec.commandLine().getOut().println("revoked API key " + id);
          return ExitCodes.OK;
        }
      }
    }
  }

  // --- roles ----------------------------------------------------------------------------------

  @Command(name = "roles", mixinStandardHelpOptions = true,
      description = "Shows roles and what they grant (needs store and secrets.key).",
      subcommands = {Roles.ListRoles.class, Roles.Show.class})
  static final class Roles implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists built-in and custom roles.")
    static final class ListRoles implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = new Session(config)) {
          for (RoleDefinition r : s.auth.roles()) {
            out.printf("%-16s %-8s %s%n", r.name(), r.builtIn() ? "built-in" : "custom", r.description());
          }
        }
        return ExitCodes.OK;
      }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints the permissions a role grants, one per line.")
    static final class Show implements Callable<Integer> {
      @Mixin ConfigOptions config;
      @Spec picocli.CommandLine.Model.CommandSpec spec;

      @Parameters(index = "0", paramLabel = "ROLE")
      String name;

      @Override
      public Integer call() throws Exception {
        try (Session s = new Session(config)) {
          Optional<RoleDefinition> r = s.auth.role(name);
          if (r.isEmpty()) {
            spec.commandLine().getErr().println("sluice: no role named '" + name + "'; known: "
                + s.auth.roles().stream().map(RoleDefinition::name).collect(Collectors.joining(", ")));
            return ExitCodes.ERROR;
          }
          PrintWriter out = spec.commandLine().getOut();
          out.println("# " + r.get().name() + (r.get().builtIn() ? " (built-in)" : "") + ": " + r.get().description());
          r.get().grants().stream().map(PermissionGrant::toString).sorted().forEach(out::println);
          return ExitCodes.OK;
        }
      }
    }
  }
}

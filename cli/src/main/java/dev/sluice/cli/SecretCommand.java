package dev.sluice.cli;

import dev.sluice.config.ConfigLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "secret", mixinStandardHelpOptions = true,
    // picocli interpolates ${...} in descriptions; $${ prints a literal ${.
    description = "Manages the encrypted secrets that $${secret:name} refers to (needs store and secrets.key).",
    subcommands = {SecretCommand.Set.class, SecretCommand.ListNames.class, SecretCommand.Delete.class,
        SecretCommand.RotateKey.class})
final class SecretCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = {"Stores a secret; the value is read from standard input, never from the command line.",
          "Typed at a terminal: the line you enter. Piped or redirected (< key.json): the whole input, multi-line",
          "values such as a service-account key included, without one trailing newline; at most 1 MiB."})
  static final class Set implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      String value;
      if (System.console() != null) {
        value = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      } else {
        byte[] bytes = System.in.readNBytes(MAX_VALUE_BYTES + 1);
        if (bytes.length > MAX_VALUE_BYTES) {
          spec.commandLine().getErr().println("sluice: the value of secret '" + name + "' is over 1 MiB; nothing was stored");
          return ExitCodes.USAGE;
        }
        value = withoutOneTrailingNewline(new String(bytes, StandardCharsets.UTF_8));
      }
      if (value == null || value.isEmpty()) {
        spec.commandLine().getErr().println("sluice: no value on standard input (try: printf '%s' \"$TOKEN\" | sluice secret set " + name + ")");
        return ExitCodes.USAGE;
      }
      try (ConfigLoader.SecretsAccess access = config.loader().openSecrets(config.files())) {
        access.secrets().put(name, value);
        audit(access, "secret.set", name);
      }
      spec.commandLine().getOut().println("stored secret '" + name + "'");
      return ExitCodes.OK;
    }
  }

  /** The largest secret value read from a pipe: a key file is a few kB; more is a mistake. */
  static final int MAX_VALUE_BYTES = 1 << 20;

  /** A file or {@code printf '%s\n'} ends with a newline that is not part of the secret. */
  static String withoutOneTrailingNewline(String s) {
    if (s.endsWith("\r\n")) {
      return s.substring(0, s.length() - 2);
    }
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists secret names (never values).")
  static final class ListNames implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (ConfigLoader.SecretsAccess access = config.loader().openSecrets(config.files())) {
        access.secrets().names().forEach(spec.commandLine().getOut()::println);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a secret.")
  static final class Delete implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      try (ConfigLoader.SecretsAccess access = config.loader().openSecrets(config.files())) {
        if (!access.secrets().delete(name)) {
          spec.commandLine().getErr().println("sluice: no secret named '" + name + "'");
          return ExitCodes.ERROR;
        }
        audit(access, "secret.delete", name);
      }
      spec.commandLine().getOut().println("deleted secret '" + name + "'");
      return ExitCodes.OK;
    }
  }

  @Command(name = "rotate-key", mixinStandardHelpOptions = true,
      description = {"Re-encrypts every secret under a new master passphrase, read from standard input (first line),"
          + " never from the command line. All or nothing: the store switches every secret at once.",
          "Then set secrets.key (e.g. SLUICE_MASTER_KEY) to the new passphrase everywhere the store is used."})
  static final class RotateKey implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      char[] next = firstLine(System.in);
      if (next.length < 8) {
        Arrays.fill(next, '\0');
        spec.commandLine().getErr().println("sluice: the new passphrase must be at least 8 characters, on standard input"
            + " (try: printf '%s' \"$NEW_KEY\" | sluice secret rotate-key)");
        return ExitCodes.USAGE;
      }
      try (ConfigLoader.SecretsAccess access = config.loader().openSecrets(config.files())) {
        int count = access.secrets().rotateKey(next);
        audit(access, "secret.rotate-key", access.secrets().keyId());
        spec.commandLine().getOut().println("re-encrypted " + count + " secret(s) under the new master key (key id "
            + access.secrets().keyId() + "); set secrets.key to the new passphrase before the next start");
      } finally {
        Arrays.fill(next, '\0');
      }
      return ExitCodes.OK;
    }
  }

  /** Records a change of the secrets in the store's audit log, when it keeps one (never the value). */
  static void audit(ConfigLoader.SecretsAccess access, String action, String target) {
    access.store().auditLog().ifPresent(log -> log.append(dev.sluice.store.AuditEvent.of(java.time.Instant.now(),
        dev.sluice.auth.Actor.cli().name(), action, target, true, null, null)));
  }

  /** The first line of {@code in} as characters, without keeping a String of it. */
  static char[] firstLine(InputStream in) throws IOException {
    Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
    char[] buffer = new char[64];
    int length = 0;
    for (int c = reader.read(); c != -1 && c != '\n'; c = reader.read()) {
      if (length == buffer.length) {
        char[] bigger = Arrays.copyOf(buffer, buffer.length * 2);
        Arrays.fill(buffer, '\0');
        buffer = bigger;
      }
      buffer[length++] = (char) c;
    }
    if (length > 0 && buffer[length - 1] == '\r') {
      length--;
    }
    char[] line = Arrays.copyOf(buffer, length);
    Arrays.fill(buffer, '\0');
    return line;
  }
}

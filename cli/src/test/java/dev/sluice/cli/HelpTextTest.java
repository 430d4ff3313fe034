package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The usage help of every command and subcommand, as {@code sluice ... --help} prints it: picocli
 * interpolates {@code ${...}} in descriptions, so an unescaped {@code ${secret:name}} came out as
 * "null".
 */
class HelpTextTest {
  private static final Pattern NULL_WORD = Pattern.compile("\\bnull\\b");

  /** Usage help by command path ("sluice secret set"), every level of the tree. */
  private static Map<String, String> everyUsageHelp() {
    Map<String, String> help = new LinkedHashMap<>();
    List<CommandLine> todo = new ArrayList<>(List.of(new CommandLine(new SluiceCli())));
    while (!todo.isEmpty()) {
      CommandLine cl = todo.remove(0);
      help.put(cl.getCommandSpec().qualifiedName(), cl.getUsageMessage(CommandLine.Help.Ansi.OFF));
      todo.addAll(cl.getSubcommands().values());
    }
    return help;
  }

  @Test
  void noCommandsHelpSaysNull() {
    Map<String, String> help = everyUsageHelp();
    assertThat(help.keySet()).contains("sluice", "sluice secret", "sluice secret set", "sluice cron",
        "sluice dead-letters");
    help.forEach((command, text) -> {
      assertThat(text).as("usage of '%s'", command).isNotBlank();
      assertThat(NULL_WORD.matcher(text).find()).as("usage of '%s' says null:%n%s", command, text).isFalse();
      assertThat(text).as("usage of '%s' has an uninterpolated variable", command).doesNotContain("${DEFAULT-VALUE}");
    });
  }

  @Test
  void docsCliMdListsEveryCommand() throws Exception {
    String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/user-guide/cli.md"));
    for (String command : new CommandLine(new SluiceCli()).getSubcommands().keySet()) {
      assertThat(doc).as("docs/user-guide/cli.md has a row for 'sluice %s'", command).containsPattern("\\| `" + command + "[ `]");
    }
  }

  @Test
  void theSecretReferenceSyntaxIsPrintedLiterally() {
    assertThat(everyUsageHelp().get("sluice secret")).contains("${secret:name}");
    SluiceCliTest.Result r = SluiceCliTest.sluice("secret", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Manages the encrypted secrets that ${secret:name} refers to");
  }
}

package dev.sluice.destinations.email;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.email.internal.Addresses;
import dev.sluice.destinations.notify.internal.Dedup;
import dev.sluice.destinations.notify.internal.Escaping;
import dev.sluice.destinations.notify.internal.NotifyTemplate;
import dev.sluice.destinations.notify.internal.TemplateOptions;
import dev.sluice.destinations.notify.internal.Texts;
import dev.sluice.record.FieldPath;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import dev.sluice.store.MissingStoreCapabilityException;
import dev.sluice.store.Store;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The {@code email} destination (see {@link EmailDestination}).
 *
 * <p>Options: {@code host} (required), {@code port} (default 587 for {@code starttls}, 465 for
 * {@code smtps}, 25 for {@code none}), {@code security} ({@code starttls}, the default and required
 * when chosen: never falls back to plain text; {@code smtps}, TLS from the start; {@code none}),
 * {@code username} and {@code password} (secret), {@code from} (required), {@code to}, {@code cc},
 * {@code bcc} (fixed recipients), {@code toFrom} (a record field holding one address or a list),
 * {@code subject} (template, required), {@code text} and/or {@code html} (templates; values are
 * HTML-escaped in {@code html}; or {@code textFile}, {@code htmlFile} naming files that hold them), {@code mode} ({@code record} or {@code digest}), {@code
 * digestLimit} (default 50), {@code attach} ({@code none}, {@code csv}, {@code jsonl}), {@code
 * attachmentName}, {@code connectTimeout}, {@code timeout}, {@code sslTrust} (hosts whose
 * certificate is trusted without checking its chain or its name: for test servers only), {@code dedup}
 * (default true) and {@code dedupRetention} (default 7d).
 *
 * <p>Stateless and thread-safe.
 */
public final class EmailDestinationProvider implements DestinationProvider {
  @Override
  public String type() {
    return "email";
  }

  @Override
  public String description() {
    return "Sends email from templates over SMTP (STARTTLS or SMTPS), per record or as digests, without duplicates";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .required("host", ConfigSchemas.string("SMTP server host."))
        .optional("port", ConfigSchemas.integer("SMTP port; default 587 (starttls), 465 (smtps), 25 (none).", 587, 1))
        .optional("security", ConfigSchemas.enumOf("starttls (required, never plain text), smtps (TLS from the"
            + " start) or none.", "starttls", "smtps", "none"))
        .optional("username", ConfigSchemas.string("User for SMTP authentication."))
        .optional("password", ConfigSchemas.secret("Password for SMTP authentication."))
        .required("from", ConfigSchemas.string("Sender address, e.g. 'Sluice <alerts@example.com>'."))
        .optional("to", ConfigSchemas.stringList("Fixed recipients."))
        .optional("cc", ConfigSchemas.stringList("Fixed copy recipients."))
        .optional("bcc", ConfigSchemas.stringList("Fixed blind-copy recipients (not shown in the headers)."))
        .optional("toFrom", ConfigSchemas.string("Record field holding a recipient address or a list (record mode)."))
        .required("subject", ConfigSchemas.string("Mustache template of the subject (one line)."))
        .optional("text", ConfigSchemas.string("Mustache template of the text body."))
        .optional("html", ConfigSchemas.string("Mustache template of the HTML body; record values are HTML-escaped."))
        .optional("textFile", ConfigSchemas.string("File holding the 'text' template (instead of 'text')."))
        .optional("htmlFile", ConfigSchemas.string("File holding the 'html' template (instead of 'html')."))
        .optional("mode", ConfigSchemas.enumOf("One message per record, or one digest per batch.", "record",
            "digest"))
        .optional("digestLimit", ConfigSchemas.integer("Records a digest lists; the rest are counted in 'more'.",
            50, 1))
        .optional("attach", ConfigSchemas.enumOf("Attach the message's records.", "none", "csv", "jsonl"))
        .optional("attachmentName", ConfigSchemas.string("File name of the attachment.", "records.csv"))
        .optional("connectTimeout", ConfigSchemas.duration("Connection timeout.", "10s"))
        .optional("timeout", ConfigSchemas.duration("Read and write timeout of each SMTP exchange.", "30s"))
        .optional("sslTrust", ConfigSchemas.stringList("Hosts whose TLS certificate is trusted without checking its"
            + " chain (test servers only)."))
        .optional("dedup", ConfigSchemas.bool("Keep a sent-log in the store so a retry, replay or restart does not"
            + " send the same message twice to a recipient.", true))
        .optional("dedupRetention", ConfigSchemas.duration("How long the sent-log remembers a message.", "7d"))
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    String owner = config.owner();
    EmailDestination.Security security = config.enumValue("security", EmailDestination.Security.class,
        EmailDestination.Security.STARTTLS);
    String host = config.string("host").strip();
    if (host.isEmpty() || Texts.hasLineBreakOrNul(host) || host.contains(" ")) {
      throw config.invalid("host", "a host name or address", config.node("host").orElseThrow());
    }
    int defaultPort = switch (security) {
      case STARTTLS -> 587;
      case SMTPS -> 465;
      case NONE -> 25;
    };
    int port = config.intValue("port", defaultPort, 1, 65535);
    String username = config.optionalString("username").orElse(null);
    String password = config.has("password") ? config.secret("password") : null;
    if ((username == null) != (password == null)) {
      throw new PluginConfigException(owner + ": give both 'username' and 'password' for SMTP authentication, or"
          + " neither");
    }
    InternetAddress from = address(owner, "from", config.string("from"));
    List<InternetAddress> to = addresses(config, "to");
    List<InternetAddress> cc = addresses(config, "cc");
    List<InternetAddress> bcc = addresses(config, "bcc");
    EmailDestination.Mode mode = config.enumValue("mode", EmailDestination.Mode.class, EmailDestination.Mode.RECORD);
    FieldPath toFrom = null;
    if (config.has("toFrom")) {
      if (mode == EmailDestination.Mode.DIGEST) {
        throw new PluginConfigException(owner + ": option 'toFrom' needs mode: record (a digest goes to the fixed"
            + " recipients)");
      }
      try {
        toFrom = FieldPath.parseDotted(config.string("toFrom"));
      } catch (IllegalArgumentException e) {
        throw new PluginConfigException(owner + ": option 'toFrom': " + e.getMessage());
      }
    }
    if (toFrom == null && to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
      throw new PluginConfigException(owner + ": give recipients: 'to', 'cc', 'bcc' or 'toFrom'");
    }
    String subjectSource = config.string("subject");
    if (Texts.hasLineBreakOrNul(subjectSource)) {
      throw new PluginConfigException(owner + ": option 'subject' must be one line");
    }
    NotifyTemplate subject = NotifyTemplate.compile(owner + ": option 'subject'", subjectSource, Escaping.NONE);
    NotifyTemplate text = TemplateOptions.compile(config, "text", Escaping.NONE);
    NotifyTemplate html = TemplateOptions.compile(config, "html", Escaping.HTML);
    if (text == null && html == null) {
      throw new PluginConfigException(owner + ": give a 'text' template, an 'html' template or both");
    }
    EmailDestination.Attach attach = config.enumValue("attach", EmailDestination.Attach.class,
        EmailDestination.Attach.NONE);
    String attachmentName = config.string("attachmentName",
        attach == EmailDestination.Attach.JSONL ? "records.jsonl" : "records.csv");
    if (!attachmentName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw config.invalid("attachmentName", "a file name of letters, digits, '.', '_' and '-'",
          config.node("attachmentName").orElseThrow());
    }
    Duration connectTimeout = positive(config, "connectTimeout", Duration.ofSeconds(10));
    Duration timeout = positive(config, "timeout", Duration.ofSeconds(30));
    List<String> sslTrust = config.stringList("sslTrust");
    for (String h : sslTrust) {
      if (!h.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
        throw new PluginConfigException(owner + ": option 'sslTrust' holds '" + h + "', which is not a host name");
      }
    }

    String protocol = security == EmailDestination.Security.SMTPS ? "smtps" : "smtp";
    String p = "mail." + protocol + ".";
    Properties props = new Properties();
    props.setProperty("mail.transport.protocol", protocol);
    props.setProperty(p + "host", host);
    props.setProperty(p + "port", Integer.toString(port));
    props.setProperty(p + "auth", Boolean.toString(username != null));
    props.setProperty(p + "connectiontimeout", Long.toString(connectTimeout.toMillis()));
    props.setProperty(p + "timeout", Long.toString(timeout.toMillis()));
    props.setProperty(p + "writetimeout", Long.toString(timeout.toMillis()));
    props.setProperty(p + "from", from.getAddress());
    props.setProperty(p + "sendpartial", "true");
    // sslTrust names hosts whose certificate is taken as it is (test servers): no chain, no name check.
    props.setProperty(p + "ssl.checkserveridentity", Boolean.toString(sslTrust.isEmpty()));
    if (security == EmailDestination.Security.STARTTLS) {
      props.setProperty(p + "starttls.enable", "true");
      props.setProperty(p + "starttls.required", "true");
    }
    if (security == EmailDestination.Security.SMTPS) {
      props.setProperty(p + "ssl.enable", "true");
    }
    if (!sslTrust.isEmpty()) {
      props.setProperty(p + "ssl.trust", String.join(" ", sslTrust));
    }
    Session session = Session.getInstance(props);

    Dedup dedup;
    if (config.bool("dedup", true)) {
      Duration retention = positive(config, "dedupRetention", Duration.ofDays(7));
      Store store = context.store();
      dedup = Dedup.on(MissingStoreCapabilityException.require(store, Store::sentLog, "a sent-log",
          "the email destination's de-duplication (dedup: true); or set dedup: false to accept duplicates"),
          context.name(), retention, context.clock());
    } else {
      dedup = Dedup.off();
    }
    EmailDestination.Settings settings = new EmailDestination.Settings(context.name(), protocol, host, port,
        username, password, from, to, cc, bcc, toFrom, subject, text, html, mode,
        config.intValue("digestLimit", 50, 1, 10_000), attach, attachmentName);
    return new EmailDestination(settings, session, context.objectMapper(), context.clock(), context.logger(), dedup);
  }

  private static List<InternetAddress> addresses(PluginConfig config, String option) {
    List<InternetAddress> out = new ArrayList<>();
    for (String a : config.stringList(option)) {
      out.add(address(config.owner(), option, a));
    }
    return List.copyOf(out);
  }

  private static InternetAddress address(String owner, String option, String value) {
    try {
      return Addresses.parse(value, "option '" + option + "'");
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(owner + ": " + e.getMessage());
    }
  }

  private static Duration positive(PluginConfig config, String option, Duration defaultValue) {
    Duration d = config.duration(option, defaultValue);
    if (d.isZero()) {
      throw config.invalid(option, "a positive duration", config.node(option).orElseThrow());
    }
    return d;
  }
}

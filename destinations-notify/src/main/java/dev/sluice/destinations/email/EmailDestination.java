package dev.sluice.destinations.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.destinations.email.internal.Addresses;
import dev.sluice.destinations.email.internal.Attachments;
import dev.sluice.destinations.notify.internal.Dedup;
import dev.sluice.destinations.notify.internal.Escaping;
import dev.sluice.destinations.notify.internal.Failures;
import dev.sluice.destinations.notify.internal.NotifyTemplate;
import dev.sluice.destinations.notify.internal.NotifyTemplate.TemplateException;
import dev.sluice.destinations.notify.internal.Texts;
import dev.sluice.record.Batch;
import dev.sluice.record.FieldPath;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;

/**
 * Sends email notifications over SMTP: one message per record or one digest per batch, with a
 * subject, a text and/or an HTML body from templates (values HTML-escaped in the HTML body), and
 * optionally the records attached as CSV or JSON Lines. Created by {@link EmailDestinationProvider}.
 *
 * <p>One SMTP connection serves a whole batch. Recipients are fixed ({@code to}, {@code cc}, {@code
 * bcc}) and/or read from a record field; every address is parsed strictly, and a value from data
 * holding CR, LF or NUL (an address, a subject) is refused: the record fails permanently with the
 * reason and becomes a dead letter, nothing is sent for it.
 *
 * <p>Failures: a connection or a transient reply (4xx) is retryable; a permanent reply (5xx) is
 * not. Where the server refuses some recipients and accepts others, the message goes to those
 * accepted, each recipient's refusal is classified by its own reply code, and the sent-log, which
 * has one entry per record and recipient, makes a retry send only to those not reached yet.
 *
 * <p>Thread-safe: each {@code deliver} uses its own connection. The password never appears in
 * messages, logs or {@link #toString()}.
 */
public final class EmailDestination implements Destination, dev.sluice.spi.ConnectionCheck {
  /** Mode of delivery. */
  enum Mode { RECORD, DIGEST }

  /** What to attach. */
  enum Attach { NONE, CSV, JSONL }

  /** How the connection is secured. */
  enum Security { STARTTLS, SMTPS, NONE }

  record Settings(String name, String protocol, String host, int port, String username, String password,
      InternetAddress from, List<InternetAddress> to, List<InternetAddress> cc, List<InternetAddress> bcc,
      FieldPath toFrom, NotifyTemplate subject, NotifyTemplate text, NotifyTemplate html, Mode mode, int digestLimit,
      Attach attach, String attachmentName) {}

  /** One message: the records it is about and the recipients it still has to reach. */
  private record Unit(List<Integer> records, List<InternetAddress> recipients, List<InternetAddress> shownTo,
      Map<String, List<String>> keysByRecipient) {}

  private final Settings s;
  private final Session session;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Logger logger;
  private final Dedup dedup;

  EmailDestination(Settings settings, Session session, ObjectMapper mapper, Clock clock, Logger logger, Dedup dedup) {
    this.s = settings;
    this.session = session;
    this.mapper = mapper;
    this.clock = clock;
    this.logger = logger;
    this.dedup = dedup;
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws Exception {
    if (batch.isEmpty()) {
      return DeliveryResult.success();
    }
    Map<Integer, RecordFailure> failures = new TreeMap<>();
    List<Unit> units = s.mode() == Mode.RECORD ? perRecord(batch, failures) : digests(batch);
    Transport transport = null;
    RecordFailure stopped = null;
    boolean sentAny = false;
    try {
      for (Unit unit : units) {
        if (stopped != null) {
          fail(failures, unit, stopped);
          continue;
        }
        MimeMessage message;
        try {
          message = message(batch, unit);
        } catch (TemplateException | IllegalArgumentException e) {
          fail(failures, unit, RecordFailure.permanent(e.getMessage()));
          continue;
        }
        if (transport == null || !transport.isConnected()) {
          try {
            transport = connect();
          } catch (DeliveryException e) {
            if (!sentAny) {
              throw e;
            }
            stopped = new RecordFailure(e.getMessage(), e.isRetryable(), null);
            fail(failures, unit, stopped);
            continue;
          }
        }
        try {
          transport.sendMessage(message, unit.recipients().toArray(new Address[0]));
          sentAny = true;
          unit.keysByRecipient().values().forEach(keys -> keys.forEach(k -> dedup.recordSent(k, logger)));
        } catch (SendFailedException e) {
          sentAny |= partial(e, unit, failures);
        } catch (MessagingException e) {
          stopped = RecordFailure.retryable("sending to SMTP server " + s.host() + ":" + s.port() + " failed: "
              + describe(e));
          fail(failures, unit, stopped);
          close(transport);
          transport = null;
        }
      }
    } finally {
      close(transport);
    }
    return DeliveryResult.partial(failures);
  }

  @Override
  public void finishRun(RunInfo run, boolean succeeded) {
    dedup.purgeNowAndThen(logger);
  }

  private List<Unit> perRecord(Batch batch, Map<Integer, RecordFailure> failures) {
    List<Unit> units = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      List<InternetAddress> to = new ArrayList<>(s.to());
      try {
        to.addAll(fromRecord(batch, i));
      } catch (IllegalArgumentException e) {
        failures.put(i, RecordFailure.permanent(e.getMessage()));
        continue;
      }
      List<InternetAddress> all = new ArrayList<>(to);
      all.addAll(s.cc());
      all.addAll(s.bcc());
      if (all.isEmpty()) {
        failures.put(i, RecordFailure.permanent("the record has no recipient in field '" + s.toFrom().text()
            + "' and the destination has no fixed 'to', 'cc' or 'bcc'"));
        continue;
      }
      Map<String, List<String>> keys = new LinkedHashMap<>();
      List<InternetAddress> pending = new ArrayList<>();
      for (InternetAddress a : dedupe(all)) {
        String key = Dedup.key(batch, i, target(a));
        if (!dedup.alreadySent(key)) {
          pending.add(a);
          keys.put(target(a), List.of(key));
        }
      }
      if (!pending.isEmpty()) {
        units.add(new Unit(List.of(i), pending, to, keys));
      }
    }
    return units;
  }

  private List<Unit> digests(Batch batch) {
    List<InternetAddress> all = new ArrayList<>(s.to());
    all.addAll(s.cc());
    all.addAll(s.bcc());
    // Recipients that still miss the same records get one message together.
    Map<List<Integer>, List<InternetAddress>> groups = new LinkedHashMap<>();
    Map<String, List<String>> keys = new HashMap<>();
    for (InternetAddress a : dedupe(all)) {
      List<Integer> pending = new ArrayList<>();
      List<String> k = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        String key = Dedup.key(batch, i, target(a));
        if (!dedup.alreadySent(key)) {
          pending.add(i);
          k.add(key);
        }
      }
      if (!pending.isEmpty()) {
        groups.computeIfAbsent(pending, p -> new ArrayList<>()).add(a);
        keys.put(target(a), k);
      }
    }
    List<Unit> units = new ArrayList<>();
    groups.forEach((records, recipients) -> {
      Map<String, List<String>> unitKeys = new LinkedHashMap<>();
      recipients.forEach(a -> unitKeys.put(target(a), keys.get(target(a))));
      units.add(new Unit(records, recipients, s.to(), unitKeys));
    });
    return units;
  }

  private static String target(InternetAddress a) {
    return "mailto:" + a.getAddress().toLowerCase(Locale.ROOT);
  }

  private static List<InternetAddress> dedupe(List<InternetAddress> addresses) {
    Map<String, InternetAddress> byAddress = new LinkedHashMap<>();
    addresses.forEach(a -> byAddress.putIfAbsent(target(a), a));
    return new ArrayList<>(byAddress.values());
  }

  private List<InternetAddress> fromRecord(Batch batch, int i) {
    if (s.toFrom() == null) {
      return List.of();
    }
    JsonNode v = s.toFrom().find(batch.get(i).data());
    if (v == null || v.isNull()) {
      return List.of();
    }
    String what = "record field '" + s.toFrom().text() + "'";
    List<InternetAddress> out = new ArrayList<>();
    if (v.isTextual()) {
      out.add(Addresses.parse(v.asText(), what));
    } else if (v.isArray() && v.size() <= 100) {
      for (JsonNode item : v) {
        if (!item.isTextual()) {
          throw new IllegalArgumentException(what + " must hold addresses as strings");
        }
        out.add(Addresses.parse(item.asText(), what));
      }
    } else {
      throw new IllegalArgumentException(what + " must be an address or a list of at most 100 addresses");
    }
    return out;
  }

  private MimeMessage message(Batch batch, Unit unit) throws MessagingException {
    Map<String, Object> ctxText;
    Map<String, Object> ctxHtml = null;
    if (s.mode() == Mode.RECORD) {
      ctxText = NotifyTemplate.recordContext(mapper, batch, unit.records().get(0), Escaping.NONE);
      if (s.html() != null) {
        ctxHtml = NotifyTemplate.recordContext(mapper, batch, unit.records().get(0), Escaping.HTML);
      }
    } else {
      ctxText = NotifyTemplate.digestContext(mapper, batch, unit.records(), s.digestLimit(), Escaping.NONE);
      if (s.html() != null) {
        ctxHtml = NotifyTemplate.digestContext(mapper, batch, unit.records(), s.digestLimit(), Escaping.HTML);
      }
    }
    String subject = s.subject().render(ctxText);
    if (Texts.hasLineBreakOrNul(subject)) {
      throw new IllegalArgumentException("the subject rendered for this record holds a line break or NUL, refused"
          + " (header injection)");
    }
    String id = "<" + Dedup.key(batch, unit.records().get(0), String.join(",", unit.keysByRecipient().keySet()))
        .substring(0, 40) + "." + unit.records().size() + "@sluice>";
    MimeMessage m = new MimeMessage(session) {
      @Override
      protected void updateMessageID() throws MessagingException {
        setHeader("Message-ID", id);
      }
    };
    m.setFrom(s.from());
    if (!unit.shownTo().isEmpty()) {
      m.setRecipients(MimeMessage.RecipientType.TO, unit.shownTo().toArray(new Address[0]));
    }
    if (!s.cc().isEmpty()) {
      m.setRecipients(MimeMessage.RecipientType.CC, s.cc().toArray(new Address[0]));
    }
    m.setSubject(Texts.cut(subject, 900), "UTF-8");
    m.setSentDate(Date.from(clock.instant()));
    m.setHeader("X-Sluice-Idempotency-Key", batch.idempotencyKey(unit.records().get(0)));

    MimeBodyPart body;
    MimeMultipart alternative = null;
    String text = s.text() == null ? null : s.text().render(ctxText);
    String html = s.html() == null ? null : s.html().render(ctxHtml);
    if (text != null && html != null) {
      alternative = new MimeMultipart("alternative");
      MimeBodyPart t = new MimeBodyPart();
      t.setText(text, "UTF-8");
      MimeBodyPart h = new MimeBodyPart();
      h.setText(html, "UTF-8", "html");
      alternative.addBodyPart(t);
      alternative.addBodyPart(h);
      body = new MimeBodyPart();
      body.setContent(alternative);
    } else {
      body = new MimeBodyPart();
      if (text != null) {
        body.setText(text, "UTF-8");
      } else {
        body.setText(html, "UTF-8", "html");
      }
    }
    if (s.attach() == Attach.NONE) {
      if (alternative != null) {
        m.setContent(alternative);
      } else if (text != null) {
        m.setText(text, "UTF-8");
      } else {
        m.setText(html, "UTF-8", "html");
      }
    } else {
      MimeMultipart mixed = new MimeMultipart("mixed");
      mixed.addBodyPart(body);
      MimeBodyPart file = new MimeBodyPart();
      boolean csv = s.attach() == Attach.CSV;
      String data = csv ? Attachments.csv(batch, unit.records()) : Attachments.jsonl(batch, unit.records());
      file.setDataHandler(new jakarta.activation.DataHandler(new jakarta.mail.util.ByteArrayDataSource(
          data.getBytes(StandardCharsets.UTF_8), csv ? "text/csv; charset=UTF-8" : "application/x-ndjson; charset=UTF-8")));
      file.setFileName(s.attachmentName());
      file.setDisposition(MimeBodyPart.ATTACHMENT);
      mixed.addBodyPart(file);
      m.setContent(mixed);
    }
    m.saveChanges();
    return m;
  }

  /**
   * Connects to the SMTP server as a delivery would (greeting, EHLO, STARTTLS or SMTPS, AUTH when
   * a username is set), sends NOOP and QUIT: no message, no recipient. The session's timeouts are
   * capped at {@code timeout} for the check.
   *
   * @param timeout caps the connect, read and write timeouts
   * @return ok, or failed naming host, port and the server's reply (the password never appears)
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("host", s.host());
    details.put("port", Integer.toString(s.port()));
    details.put("protocol", s.protocol());
    if (s.username() != null) {
      details.put("username", s.username());
    }
    java.util.Properties props = new java.util.Properties();
    props.putAll(session.getProperties());
    String p = "mail." + s.protocol() + ".";
    for (String key : List.of("connectiontimeout", "timeout", "writetimeout")) {
      long configured = Long.parseLong(props.getProperty(p + key, Long.toString(Long.MAX_VALUE)));
      props.setProperty(p + key, Long.toString(Math.max(1, Math.min(configured, timeout.toMillis()))));
    }
    Transport t = null;
    String where = "SMTP server " + s.host() + ":" + s.port() + " (" + s.protocol() + ")";
    try {
      t = Session.getInstance(props).getTransport(s.protocol());
      t.connect(s.host(), s.port(), s.username(), s.password());
      if (!t.isConnected()) { // isConnected() sends NOOP on an SMTP transport
        return dev.sluice.spi.ConnectionCheckResult.failed("email destination '" + s.name() + "': " + where
            + " dropped the connection after the greeting", details);
      }
      return dev.sluice.spi.ConnectionCheckResult.ok("email destination '" + s.name() + "': " + where
          + " accepted the connection" + (s.username() == null ? "" : " and authentication as '" + s.username() + "'")
          + "; no message was sent", details);
    } catch (AuthenticationFailedException e) {
      return dev.sluice.spi.ConnectionCheckResult.failed("email destination '" + s.name() + "': " + where
          + " refused authentication as '" + s.username() + "': " + Texts.cut(String.valueOf(e.getMessage()).strip(), 300)
          + "; check the username and password", details);
    } catch (MessagingException e) {
      return dev.sluice.spi.ConnectionCheckResult.failed("email destination '" + s.name() + "': could not connect to "
          + where + ": " + describe(e), details);
    } finally {
      close(t);
    }
  }

  private Transport connect() {
    Transport t = null;
    try {
      t = session.getTransport(s.protocol());
      t.connect(s.host(), s.port(), s.username(), s.password());
      return t;
    } catch (AuthenticationFailedException e) {
      close(t);
      String reply = String.valueOf(e.getMessage()).strip();
      String message = "SMTP server " + s.host() + ":" + s.port() + " refused authentication as '" + s.username()
          + "': " + Texts.cut(reply, 300);
      return throwAs(reply.startsWith("4") ? DeliveryException.retryable(message)
          : DeliveryException.permanent(message + "; check the username and password"));
    } catch (MessagingException e) {
      close(t);
      throw DeliveryException.retryable("could not connect to SMTP server " + s.host() + ":" + s.port() + " ("
          + s.protocol() + "): " + describe(e), e);
    }
  }

  private static Transport throwAs(DeliveryException e) {
    throw e;
  }

  /** Handles a partial failure; returns whether some recipients got the message. */
  private boolean partial(SendFailedException e, Unit unit, Map<Integer, RecordFailure> failures) {
    Address[] sent = e.getValidSentAddresses();
    boolean any = sent != null && sent.length > 0;
    if (any) {
      for (Address a : sent) {
        List<String> keys = unit.keysByRecipient().get(target((InternetAddress) a));
        if (keys != null) {
          keys.forEach(k -> dedup.recordSent(k, logger));
        }
      }
    }
    Map<String, Integer> codes = new HashMap<>();
    Map<String, String> replies = new HashMap<>();
    Exception next = e;
    int guard = 0;
    while (next instanceof MessagingException me && guard++ < 1000) {
      if (me instanceof SMTPAddressFailedException af) {
        String addr = target(af.getAddress());
        codes.put(addr, af.getReturnCode());
        replies.put(addr, Texts.cut(String.valueOf(af.getMessage()).strip(), 200));
      }
      next = me.getNextException();
    }
    int overall = e instanceof SMTPSendFailedException sf ? sf.getReturnCode() : -1;
    String overallReply = Texts.cut(String.valueOf(e.getMessage()).strip(), 200);
    List<Address> failed = new ArrayList<>();
    if (e.getInvalidAddresses() != null) {
      failed.addAll(List.of(e.getInvalidAddresses()));
    }
    if (e.getValidUnsentAddresses() != null) {
      failed.addAll(List.of(e.getValidUnsentAddresses()));
    }
    if (failed.isEmpty() && !any) {
      failed.addAll(unit.recipients());
    }
    for (Address a : failed) {
      String addr = target((InternetAddress) a);
      int code = codes.getOrDefault(addr, overall);
      boolean retryable = code < 500; // 4xx transient, unknown (-1) treated as transient
      String reason = "SMTP server " + s.host() + ":" + s.port() + " did not take the message for "
          + ((InternetAddress) a).getAddress() + ": " + replies.getOrDefault(addr, overallReply)
          + (retryable ? " (transient)" : " (permanent)");
      for (int i : unit.records()) {
        Failures.add(failures, i, new RecordFailure(reason, retryable, null));
      }
    }
    return any;
  }

  private static void fail(Map<Integer, RecordFailure> failures, Unit unit, RecordFailure failure) {
    for (int i : unit.records()) {
      Failures.add(failures, i, failure);
    }
  }

  private static String describe(MessagingException e) {
    StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()).strip());
    Throwable cause = e.getCause();
    int depth = 0;
    while (cause != null && depth++ < 3) {
      out.append(" (").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage()).append(')');
      cause = cause.getCause();
    }
    return Texts.cut(out.toString().replaceAll("[\\p{Cntrl}]", " "), 500);
  }

  private static void close(Transport t) {
    if (t != null) {
      try {
        t.close();
      } catch (MessagingException | RuntimeException ignored) {
        // closing a dropped connection: nothing left to do
      }
    }
  }

  @Override
  public String toString() {
    return "EmailDestination{" + s.name() + ", " + s.protocol() + "://" + s.host() + ":" + s.port()
        + (s.username() == null ? "" : ", user " + s.username()) + ", " + s.mode().name().toLowerCase(Locale.ROOT)
        + "}";
  }
}

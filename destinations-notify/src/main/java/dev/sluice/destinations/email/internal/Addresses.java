package dev.sluice.destinations.email.internal;

import dev.sluice.destinations.notify.internal.Texts;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/** Strict parsing of one email address. Not API. */
public final class Addresses {
  private Addresses() {}

  /**
   * Exactly one RFC 822 address ({@code a@example.com} or {@code Name <a@example.com>}).
   *
   * @param what for messages: {@code "option 'from'"}, {@code "record field 'owner.email'"}
   * @throws IllegalArgumentException naming {@code what} when the value holds CR, LF or NUL (header
   *     injection), is not one valid address, or has no domain
   */
  public static InternetAddress parse(String value, String what) {
    if (Texts.hasLineBreakOrNul(value)) {
      throw new IllegalArgumentException(what + " holds a line break or NUL, refused (header injection)");
    }
    InternetAddress[] parsed;
    try {
      parsed = InternetAddress.parse(value.strip(), true);
    } catch (AddressException e) {
      throw new IllegalArgumentException(what + " is not a valid email address: " + e.getMessage());
    }
    if (parsed.length != 1) {
      throw new IllegalArgumentException(what + " must hold exactly one email address, found " + parsed.length);
    }
    InternetAddress a = parsed[0];
    try {
      a.validate();
    } catch (AddressException e) {
      throw new IllegalArgumentException(what + " is not a valid email address: " + e.getMessage());
    }
    String address = a.getAddress();
    int at = address.lastIndexOf('@');
    if (at <= 0 || at == address.length() - 1 || a.isGroup()) {
      throw new IllegalArgumentException(what + " must be a single mailbox like name@example.com");
    }
    return a;
  }
}

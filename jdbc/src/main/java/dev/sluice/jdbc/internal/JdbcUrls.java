package dev.sluice.jdbc.internal;

import java.util.regex.Pattern;

/** Shows JDBC URLs in messages without the credentials some of them carry. Not API. */
public final class JdbcUrls {
  // user:password@ in the authority, and password=... in the query or H2/MySQL properties.
  private static final Pattern USER_INFO = Pattern.compile("//[^/@?;]*@");
  private static final Pattern PASSWORD = Pattern.compile("(?i)(password|pwd)=[^&;]*");

  private JdbcUrls() {}

  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    String out = USER_INFO.matcher(url).replaceAll("//****@");
    return PASSWORD.matcher(out).replaceAll("$1=****");
  }
}

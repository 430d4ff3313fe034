package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;

/** Generates ~1 KB order records with nested customer and order objects. */
final class Orders {
  private static final String[] COUNTRIES = {"DE", "AT", "FR", "NL", "US", "GB", "PL"};
  private static final String[] SEGMENTS = {"enterprise", "mid-market", "smb", "consumer", "partner"};
  private static final String[] DOMAINS = {"example.com", "example.org", "test.example.com", "mail.net"};
  private static final String[] CURRENCIES = {"EUR", "EUR", "USD", "GBP"};

  private Orders() {}

  static ObjectNode order(ObjectMapper mapper, Random random, int n) {
    ObjectNode o = mapper.createObjectNode();
    o.put("id", "ord-" + (100000 + n));
    o.put("createdAt", "2026-11-" + String.format("%02d", 1 + random.nextInt(28)) + "T12:00:00Z");
    ObjectNode c = o.putObject("customer");
    c.put("id", "cus-" + random.nextInt(5000));
    c.put("name", "Customer " + n);
    c.put("email", "user" + n + "@" + DOMAINS[random.nextInt(DOMAINS.length)]);
    c.put("segment", SEGMENTS[random.nextInt(SEGMENTS.length)]);
    c.put("active", random.nextInt(10) > 1);
    ObjectNode a = c.putObject("address");
    a.put("street", n + " Long Street Name");
    a.put("city", "City " + random.nextInt(100));
    a.put("zip", String.format("%05d", random.nextInt(99999)));
    a.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
    ObjectNode order = o.putObject("order");
    order.put("currency", CURRENCIES[random.nextInt(CURRENCIES.length)]);
    ArrayNode items = order.putArray("items");
    BigDecimal total = BigDecimal.ZERO;
    int lines = 2 + random.nextInt(3);
    for (int i = 0; i < lines; i++) {
      ObjectNode item = items.addObject();
      item.put("sku", "SKU-" + (1000 + random.nextInt(9000)));
      item.put("name", "Product number " + random.nextInt(500) + " with a descriptive name");
      int qty = 1 + random.nextInt(4);
      BigDecimal price = BigDecimal.valueOf(random.nextInt(100000), 2);
      item.put("quantity", qty);
      item.put("unitPrice", price);
      total = total.add(price.multiply(BigDecimal.valueOf(qty)));
    }
    order.put("total", total.setScale(2, RoundingMode.HALF_UP));
    o.put("channel", random.nextBoolean() ? "web" : "mobile");
    o.put("notes", "Deliver between 9 and 17, ring twice; leave with neighbour if absent.");
    return o;
  }
}

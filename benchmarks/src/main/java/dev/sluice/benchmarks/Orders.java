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

  private static final String[][] PRODUCTS = {
      {"SKU-1001", "Espresso beans 1 kg", "18.90"}, {"SKU-1002", "Filter coffee 500 g", "9.50"},
      {"SKU-2001", "Grinder with burrs", "149.00"}, {"SKU-2002", "Milk frother", "39.99"},
      {"SKU-3001", "Espresso machine dual boiler", "1299.00"}, {"SKU-3002", "Espresso machine", "349.00"},
      {"SKU-5001", "Descaler", "7.99"}, {"SKU-5002", "Barista course voucher", "189.00"},
      {"SKU-4001", "Cup set (6)", "29.90"}, {"SKU-4002", "Scale with timer", "54.00"}};
  private static final String[] STATUSES = {"paid", "paid", "paid", "shipped", "refunded", "pending"};

  private Orders() {}

  /**
   * A web-shop order of about 320 bytes as compact JSON, with the total as a top-level {@code
   * amount} (a few percent are over 1000), like the quickstart's {@code orders.jsonl}. No commas in
   * text values, so the CSV form needs no quoting.
   */
  static ObjectNode compact(ObjectMapper mapper, Random random, int n) {
    ObjectNode o = mapper.createObjectNode();
    o.put("id", String.format("ord-%07d", n));
    o.put("createdAt", "2026-11-" + String.format("%02d", 1 + random.nextInt(28)) + "T"
        + String.format("%02d:%02d:%02dZ", random.nextInt(24), random.nextInt(60), random.nextInt(60)));
    ObjectNode c = o.putObject("customer");
    int customer = random.nextInt(9000);
    c.put("id", String.format("cus-%04d", customer));
    c.put("name", "Customer " + customer);
    c.put("email", "customer" + customer + "@" + DOMAINS[random.nextInt(DOMAINS.length)]);
    c.put("country", COUNTRIES[random.nextInt(COUNTRIES.length)]);
    ArrayNode items = o.putArray("items");
    BigDecimal total = BigDecimal.ZERO;
    int lines = 1 + random.nextInt(2);
    for (int i = 0; i < lines; i++) {
      String[] p = PRODUCTS[random.nextInt(100) < 3 ? 4 : (5 + random.nextInt(PRODUCTS.length - 1)) % PRODUCTS.length];
      int quantity = p[2].length() > 5 ? 1 : 1 + random.nextInt(3); // appliances one at a time
      BigDecimal price = new BigDecimal(p[2]);
      ObjectNode item = items.addObject();
      item.put("sku", p[0]);
      item.put("name", p[1]);
      item.put("quantity", quantity);
      item.put("unitPrice", price);
      total = total.add(price.multiply(BigDecimal.valueOf(quantity)));
    }
    o.put("amount", total.setScale(2, RoundingMode.HALF_UP));
    o.put("currency", "EUR");
    o.put("status", STATUSES[random.nextInt(STATUSES.length)]);
    o.put("channel", random.nextBoolean() ? "web" : "mobile");
    return o;
  }

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

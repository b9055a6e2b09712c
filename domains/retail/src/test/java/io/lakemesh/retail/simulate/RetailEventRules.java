package io.lakemesh.retail.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of {@code retail.transactions}, written out independently of the generator so that a test of the
 * generator can fail: it returns the names of the rules an event breaks.
 */
final class RetailEventRules {

    static final Set<String> REGIONS = Set.of("NCR", "CAR", "Region I", "Region II", "Region III", "Region IV-A",
            "MIMAROPA", "Region V", "Region VI", "Region VII", "Region VIII", "Region IX", "Region X", "Region XI",
            "Region XII", "Region XIII", "BARMM", "NIR");
    static final Set<String> PAYMENT_METHODS = Set.of("cash", "gcash", "maya", "card", "credit");
    static final Set<String> CATEGORIES = Set.of("noodles", "beverages", "snacks", "canned goods", "personal care",
            "household", "dairy", "rice & grains", "condiments", "frozen");

    private static final Pattern TRANSACTION_ID = Pattern.compile("T-\\S+");
    private static final Pattern STORE_ID = Pattern.compile("S-\\d{4}");
    private static final Pattern CUSTOMER_ID = Pattern.compile("C-\\d{6}");
    private static final Pattern PRODUCT_ID = Pattern.compile("P-\\d{4}");
    private static final Pattern UTC_MILLIS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    private static final BigDecimal CENT = new BigDecimal("0.01");

    // keep numbers exactly as written, so "30.5" and "30.50" can be told apart
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private RetailEventRules() {
    }

    static JsonNode parse(String event) {
        try {
            return JSON.readTree(event);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + event, e);
        }
    }

    /** The rules {@code event} breaks, judged at {@code now}; empty when it is valid. */
    static List<String> broken(String event, Instant now) {
        JsonNode sale = parse(event);
        List<String> broken = new ArrayList<>();
        if (!sale.isObject()) {
            return List.of("object");
        }
        check(broken, "transaction_id", matches(sale.get("transaction_id"), TRANSACTION_ID));
        check(broken, "store_id", matches(sale.get("store_id"), STORE_ID));
        check(broken, "region", oneOf(sale.get("region"), REGIONS));
        check(broken, "ts", timestampAtMostFiveMinutesAhead(sale.get("ts"), now));
        check(broken, "payment_method", oneOf(sale.get("payment_method"), PAYMENT_METHODS));
        check(broken, "customer_id", sale.get("customer_id") == null || matches(sale.get("customer_id"), CUSTOMER_ID));
        JsonNode total = sale.get("total_amount");
        check(broken, "total_amount", twoDecimals(total));
        check(broken, "negative amount", !twoDecimals(total) || total.decimalValue().signum() >= 0);

        JsonNode items = sale.get("items");
        check(broken, "items", items != null && items.isArray() && !items.isEmpty());
        BigDecimal lineSum = BigDecimal.ZERO;
        boolean linesSummable = items != null && items.isArray();
        for (JsonNode line : items != null && items.isArray() ? items : JSON.createArrayNode()) {
            check(broken, "product_id", matches(line.get("product_id"), PRODUCT_ID));
            check(broken, "product_name", nonBlankText(line.get("product_name")));
            check(broken, "brand", nonBlankText(line.get("brand")));
            check(broken, "category", oneOf(line.get("category"), CATEGORIES));
            JsonNode qty = line.get("qty");
            JsonNode unitPrice = line.get("unit_price");
            JsonNode lineAmount = line.get("line_amount");
            boolean qtyIsCount = qty != null && qty.isIntegralNumber();
            check(broken, "qty", qtyIsCount && qty.asLong() >= 1);
            check(broken, "unit_price", twoDecimals(unitPrice));
            check(broken, "line_amount", twoDecimals(lineAmount));
            if (twoDecimals(unitPrice) && twoDecimals(lineAmount)) {
                check(broken, "negative amount",
                        unitPrice.decimalValue().signum() >= 0 && lineAmount.decimalValue().signum() >= 0);
                check(broken, "line_amount = qty × unit_price", qtyIsCount
                        && unitPrice.decimalValue().multiply(BigDecimal.valueOf(qty.asLong()))
                                .compareTo(lineAmount.decimalValue()) == 0);
                lineSum = lineSum.add(lineAmount.decimalValue());
            } else {
                linesSummable = false;
            }
        }
        if (linesSummable && twoDecimals(total)) {
            check(broken, "sum of line_amount = total_amount",
                    lineSum.subtract(total.decimalValue()).abs().compareTo(CENT) <= 0);
        }
        return broken.stream().distinct().toList();
    }

    private static void check(List<String> broken, String rule, boolean holds) {
        if (!holds) {
            broken.add(rule);
        }
    }

    private static boolean matches(JsonNode node, Pattern pattern) {
        return node != null && node.isTextual() && pattern.matcher(node.textValue()).matches();
    }

    private static boolean oneOf(JsonNode node, Set<String> allowed) {
        return node != null && node.isTextual() && allowed.contains(node.textValue());
    }

    private static boolean nonBlankText(JsonNode node) {
        return node != null && node.isTextual() && !node.textValue().isBlank();
    }

    /** A JSON number written with exactly two decimals. */
    private static boolean twoDecimals(JsonNode node) {
        return node != null && node.isBigDecimal() && node.decimalValue().scale() == 2;
    }

    private static boolean timestampAtMostFiveMinutesAhead(JsonNode node, Instant now) {
        if (node == null || !node.isTextual() || !UTC_MILLIS.matcher(node.textValue()).matches()) {
            return false;
        }
        try {
            return !Instant.parse(node.textValue()).isAfter(now.plus(Duration.ofMinutes(5)));
        } catch (DateTimeParseException e) {
            return false; // shaped like a timestamp but not one, e.g. month 13: the rule is broken
        }
    }
}

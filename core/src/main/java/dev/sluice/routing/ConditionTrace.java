package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One comparison a condition made while being traced: the operands as written, the values they
 * had, and the outcome. Collected by {@link CompiledCondition#trace}.
 *
 * @param left the left operand as written, e.g. {@code $.amount}
 * @param leftValue its value, or null when the path matched nothing
 * @param operator e.g. {@code >}, {@code in}, {@code exists}
 * @param right the right operand as written, or null for unary tests
 * @param rightValue its value, or null
 * @param result the comparison's outcome
 */
public record ConditionTrace(
    String left, JsonNode leftValue, String operator, String right, JsonNode rightValue, boolean result) {}

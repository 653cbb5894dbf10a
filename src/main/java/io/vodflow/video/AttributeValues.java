package io.vodflow.video;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Converts between JSON trees and DynamoDB attribute values, so that records are stored through
 * Jackson instead of field-by-field mapping code. Nulls are left out, as DynamoDB prefers.
 */
final class AttributeValues {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AttributeValues() {}

    static Map<String, AttributeValue> fromObject(ObjectNode object) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!field.getValue().isNull()) {
                map.put(field.getKey(), from(field.getValue()));
            }
        }
        return map;
    }

    static AttributeValue from(JsonNode node) {
        if (node.isObject()) {
            return AttributeValue.fromM(fromObject((ObjectNode) node));
        }
        if (node.isArray()) {
            List<AttributeValue> list = new ArrayList<>();
            node.forEach(element -> list.add(from(element)));
            return AttributeValue.fromL(list);
        }
        if (node.isNumber()) {
            return AttributeValue.fromN(node.asText());
        }
        if (node.isBoolean()) {
            return AttributeValue.fromBool(node.booleanValue());
        }
        return AttributeValue.fromS(node.asText());
    }

    static ObjectNode toObject(Map<String, AttributeValue> map) {
        ObjectNode object = NODES.objectNode();
        map.forEach((name, value) -> object.set(name, to(value)));
        return object;
    }

    static JsonNode to(AttributeValue value) {
        return switch (value.type()) {
            case S -> NODES.textNode(value.s());
            case N -> number(value.n());
            case BOOL -> NODES.booleanNode(value.bool());
            case M -> toObject(value.m());
            case L -> {
                ArrayNode array = NODES.arrayNode();
                value.l().forEach(element -> array.add(to(element)));
                yield array;
            }
            case NUL -> NODES.nullNode();
            default -> throw new IllegalArgumentException("Unsupported attribute type " + value.type());
        };
    }

    private static JsonNode number(String text) {
        BigDecimal number = new BigDecimal(text);
        if (number.scale() <= 0 || number.stripTrailingZeros().scale() <= 0) {
            return NODES.numberNode(number.longValueExact());
        }
        return NODES.numberNode(number.doubleValue());
    }
}

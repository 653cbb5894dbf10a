package io.vodflow.transcode.mediaconvert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.services.mediaconvert.model.JobSettings;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Turns JobSettings JSON as MediaConvert documents it (PascalCase member names, as the console and the
 * CLI export it) into the SDK's model. It walks the model's own field metadata, as the SDK's
 * unmarshallers do, so it needs no reflection and works in a native executable too. A setting the
 * model does not know fails here, named, instead of being dropped.
 */
public final class JobSettingsConverter {

    private JobSettingsConverter() {}

    /** @throws IllegalArgumentException naming the first setting that is not MediaConvert's */
    public static JobSettings toJobSettings(ObjectNode settings) {
        return (JobSettings) pojo(JobSettings.builder(), settings, "");
    }

    private static Object pojo(SdkPojo builder, JsonNode node, String path) {
        if (!node.isObject()) {
            throw invalid(path, "an object");
        }
        Map<String, SdkField<?>> fields =
                builder.sdkFields().stream().collect(Collectors.toMap(SdkField::memberName, Function.identity()));
        for (Map.Entry<String, JsonNode> setting : node.properties()) {
            String name = path.isEmpty() ? setting.getKey() : path + "." + setting.getKey();
            SdkField<?> field = fields.get(setting.getKey());
            if (field == null) {
                throw new IllegalArgumentException("The job template is not valid MediaConvert JobSettings: " + name
                        + " is not a MediaConvert setting");
            }
            field.set(builder, value(field, setting.getValue(), name));
        }
        return ((SdkBuilder<?, ?>) builder).build();
    }

    private static Object value(SdkField<?> field, JsonNode node, String path) {
        MarshallingType<?> type = field.marshallingType();
        if (node.isNull()) {
            return null;
        }
        if (type == MarshallingType.STRING) {
            return scalar(node, path, "text").asText();
        }
        if (type == MarshallingType.INTEGER) {
            return number(node, path).intValue();
        }
        if (type == MarshallingType.LONG) {
            return number(node, path).longValue();
        }
        if (type == MarshallingType.DOUBLE) {
            return number(node, path).doubleValue();
        }
        if (type == MarshallingType.FLOAT) {
            return number(node, path).floatValue();
        }
        if (type == MarshallingType.BOOLEAN) {
            if (!node.isBoolean()) {
                throw invalid(path, "true or false");
            }
            return node.booleanValue();
        }
        if (type == MarshallingType.SDK_POJO) {
            return pojo(field.constructor().get(), node, path);
        }
        if (type == MarshallingType.LIST) {
            if (!node.isArray()) {
                throw invalid(path, "a list");
            }
            SdkField<?> member = field.getTrait(ListTrait.class).memberFieldInfo();
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                list.add(value(member, node.get(i), path + "[" + i + "]"));
            }
            return list;
        }
        if (type == MarshallingType.MAP) {
            SdkField<?> member = field.getTrait(MapTrait.class).valueFieldInfo();
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : pojoNode(node, path).properties()) {
                map.put(entry.getKey(), value(member, entry.getValue(), path + "." + entry.getKey()));
            }
            return map;
        }
        throw invalid(path, "a kind of value vodflow cannot send (" + type + ")");
    }

    private static JsonNode scalar(JsonNode node, String path, String expected) {
        if (!node.isValueNode()) {
            throw invalid(path, expected);
        }
        return node;
    }

    private static Number number(JsonNode node, String path) {
        if (!node.isNumber()) {
            throw invalid(path, "a number");
        }
        return node.numberValue();
    }

    private static JsonNode pojoNode(JsonNode node, String path) {
        if (!node.isObject()) {
            throw invalid(path, "an object");
        }
        return node;
    }

    private static IllegalArgumentException invalid(String path, String expected) {
        return new IllegalArgumentException(
                "The job template is not valid MediaConvert JobSettings: " + path + " must be " + expected);
    }
}

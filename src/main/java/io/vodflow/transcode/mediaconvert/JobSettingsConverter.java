package io.vodflow.transcode.mediaconvert;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.mediaconvert.model.JobSettings;

/**
 * Turns JobSettings JSON as MediaConvert documents it (PascalCase, as exported from the console) into
 * the SDK's model, through the model's own builders. An unknown field fails here, naming it, instead
 * of being dropped silently.
 */
@Singleton
class JobSettingsConverter {

    private final ObjectMapper json;

    JobSettingsConverter(ObjectMapper json) {
        this.json = json.copy()
                .setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    JobSettings toJobSettings(ObjectNode settings) {
        try {
            return json.treeToValue(settings, JobSettings.serializableBuilderClass())
                    .build();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "The job template is not valid MediaConvert JobSettings: " + e.getOriginalMessage(), e);
        }
    }
}

package io.vodflow.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Strictness the API needs beyond Quarkus' defaults. */
@Singleton
public class JsonCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        // A size of 12.5 bytes is a client bug to report, not a number to round.
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }
}

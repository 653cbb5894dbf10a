package io.vodflow.transcode;

import io.smallrye.common.annotation.Identifier;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import java.util.Locale;

/**
 * Makes the backend named by {@code vodflow.transcoder.backend} the {@link Transcoder}. Backends are
 * beans qualified with their name; the others are never instantiated.
 */
@ApplicationScoped
public class TranscoderProducer {

    @Produces
    @ApplicationScoped
    Transcoder transcoder(@Any Instance<Transcoder> backends, VodflowConfig config) {
        String name = config.transcoder().backend().name().toLowerCase(Locale.ROOT);
        return backends.select(Identifier.Literal.of(name)).get();
    }
}

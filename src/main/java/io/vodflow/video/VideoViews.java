package io.vodflow.video;

import io.vodflow.config.VodflowConfig;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.Optional;

/**
 * Makes {@link VideoView}s with playback URLs: on the CDN when {@code vodflow.playback.base-url} is
 * set, else paths of this service, which serves the output bucket under the same names.
 */
@Singleton
public class VideoViews {

    private final Optional<URI> cdn;

    VideoViews(VodflowConfig config) {
        this.cdn = config.playback().baseUrl();
    }

    public VideoView of(Video video) {
        return VideoView.of(video, this::url);
    }

    /** The URL of an object of the output bucket. */
    String url(String key) {
        return cdn.map(base -> base.toString().replaceAll("/+$", "") + "/" + key)
                .orElse("/" + key);
    }
}

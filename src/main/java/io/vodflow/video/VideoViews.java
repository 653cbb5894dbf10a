package io.vodflow.video;

import io.vodflow.config.VodflowConfig;
import io.vodflow.security.CdnCookies;
import io.vodflow.security.LinkSigner;
import io.vodflow.storage.VideoKeys;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Makes {@link VideoView}s with their links: playback URLs on the CDN when
 * {@code vodflow.playback.base-url} is set (opened by {@link CdnCookies} when they are configured),
 * else signed paths of this service, which serves the
 * output bucket under {@code /videos/{id}/play/{token}/}; and a signed link to the video's events.
 * One playback token opens every output of the video: playlists name their files relatively, so
 * players keep the token as they go.
 */
@Singleton
public class VideoViews {

    /** The CDN's base URL without a trailing slash, when it serves the outputs. */
    private final Optional<String> cdn;

    private final LinkSigner signer;
    private final Duration playbackLifetime;
    private final Duration eventsLifetime;
    private final boolean cdnCookies;

    VideoViews(VodflowConfig config, LinkSigner signer, CdnCookies cookies) {
        this.cdn = config.playback().baseUrl().map(base -> base.toString().replaceAll("/+$", ""));
        this.signer = signer;
        this.cdnCookies = cookies.enabled();
        this.playbackLifetime = config.playback().linkLifetime();
        this.eventsLifetime = config.auth().eventsLinkLifetime();
    }

    /** The view a caller reads, with a fresh link to the video's events. */
    public VideoView of(Video video) {
        Instant now = Instant.now();
        String id = video.id();
        return of(
                video,
                "/videos/" + id + "/events?access="
                        + signer.sign(LinkSigner.Purpose.EVENTS, id, now.plus(eventsLifetime)),
                now);
    }

    /**
     * The view an event of the video's stream carries: without a link to the stream itself, so that
     * whoever holds an events link cannot keep renewing it from the streams it opens. A stream opened
     * with a link ends once the link expires (or at the video's terminal status, if sooner); its last
     * playback links then expire in their own time.
     */
    public VideoView ofEvent(Video video) {
        return withoutEvents(video);
    }

    /** The view without a link to the video's events: for whoever holds only an upload's links. */
    public VideoView withoutEvents(Video video) {
        return of(video, null, Instant.now());
    }

    private VideoView of(Video video, String events, Instant now) {
        String id = video.id();
        if (video.outputs() == null && video.playable() == null) {
            return VideoView.of(video, key -> key, events, false);
        }
        String served = "/videos/" + id + "/play/"
                + signer.sign(LinkSigner.Purpose.PLAYBACK, id, now.plus(playbackLifetime)) + "/";
        String outputs = VideoKeys.outputs(id);
        return VideoView.of(
                video,
                key -> cdn.map(base -> base + "/" + key).orElseGet(() -> served + key.substring(outputs.length())),
                events,
                cdn.isPresent() && cdnCookies);
    }
}

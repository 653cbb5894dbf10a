package io.vodflow.playback;

import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;

/**
 * One output asked for through a playback link: the video, the link's token, {@code hls} or
 * {@code thumbnails}, the file's name, and the request's Range and If-None-Match, if any.
 */
public record OutputRequest(
        @RestPath String id,
        @RestPath String token,
        @RestPath String group,
        @RestPath String file,
        @RestHeader("Range") String range,
        @RestHeader("If-None-Match") String ifNoneMatch) {}

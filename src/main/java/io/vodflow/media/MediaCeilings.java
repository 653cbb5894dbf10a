package io.vodflow.media;

import com.fasterxml.jackson.databind.JsonNode;
import io.vodflow.config.VodflowConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Compares what ffprobe found with the configured ceilings. A refusal names the ceiling and the
 * value found, so that the uploader knows what to change.
 */
final class MediaCeilings {

    private MediaCeilings() {}

    /** The first ceiling the source is beyond, or empty when it is within all of them. */
    static Optional<SourceProbe.Unusable> check(JsonNode probe, VodflowConfig.Ceilings ceilings) {
        int streams = probe.path("streams").size();
        if (streams > ceilings.maxStreams()) {
            return refuse(
                    "LIMIT_STREAMS",
                    "The file has %d streams; the most accepted is %d.",
                    streams,
                    ceilings.maxStreams());
        }
        for (JsonNode stream : probe.path("streams")) {
            if ("video".equals(stream.path("codec_type").asText())) {
                Optional<SourceProbe.Unusable> refused = checkPicture(stream, ceilings);
                if (refused.isPresent()) {
                    return refused;
                }
            }
        }
        Duration duration = Duration.ofMillis(
                Math.round(probe.path("format").path("duration").asDouble(0) * 1000));
        if (duration.compareTo(ceilings.maxDuration()) > 0) {
            return refuse(
                    "LIMIT_DURATION",
                    "The file lasts %s; the longest accepted is %s.",
                    clock(duration),
                    clock(ceilings.maxDuration()));
        }
        long bitrate = probe.path("format").path("bit_rate").asLong(0);
        if (bitrate > ceilings.maxBitrate()) {
            return refuse(
                    "LIMIT_BITRATE",
                    "The file's bitrate is %.1f Mbit/s; the most accepted is %.1f Mbit/s.",
                    bitrate / 1e6,
                    ceilings.maxBitrate() / 1e6);
        }
        return Optional.empty();
    }

    private static Optional<SourceProbe.Unusable> checkPicture(JsonNode video, VodflowConfig.Ceilings ceilings) {
        long width = video.path("width").asLong();
        long height = video.path("height").asLong();
        if (width * height > ceilings.maxPixels()) {
            return refuse(
                    "LIMIT_PIXELS",
                    "The video has %,d pixels a frame (%dx%d); the most accepted is %,d.",
                    width * height,
                    width,
                    height,
                    ceilings.maxPixels());
        }
        if (width > ceilings.maxWidth()) {
            return refuse(
                    "LIMIT_WIDTH",
                    "The video is %d pixels wide; the widest accepted is %d.",
                    width,
                    ceilings.maxWidth());
        }
        // Stored narrow but shown wide (a sample aspect ratio other than 1:1): the renditions keep the
        // shown shape, so they would be that wide.
        long shown = SourceProbe.squarePixelWidth(video);
        if (shown > ceilings.maxWidth()) {
            return refuse(
                    "LIMIT_WIDTH",
                    "The video is shown %d pixels wide (%d stored, stretched by its sample aspect ratio %s);"
                            + " the widest accepted is %d.",
                    shown,
                    width,
                    video.path("sample_aspect_ratio").asText(),
                    ceilings.maxWidth());
        }
        if (height > ceilings.maxHeight()) {
            return refuse(
                    "LIMIT_HEIGHT",
                    "The video is %d pixels high; the tallest accepted is %d.",
                    height,
                    ceilings.maxHeight());
        }
        double frameRate = SourceProbe.frameRate(video);
        if (frameRate > ceilings.maxFrameRate()) {
            return refuse(
                    "LIMIT_FRAME_RATE",
                    "The video runs at %.3f frames a second; the most accepted is %.3f.",
                    frameRate,
                    ceilings.maxFrameRate());
        }
        return Optional.empty();
    }

    private static Optional<SourceProbe.Unusable> refuse(String code, String sentence, Object... values) {
        return Optional.of(new SourceProbe.Unusable(code, String.format(Locale.ROOT, sentence, values)));
    }

    /** Hours, minutes and seconds, as a player shows a length: 100:00:00. */
    private static String clock(Duration duration) {
        return String.format(
                Locale.ROOT, "%d:%02d:%02d", duration.toHours(), duration.toMinutesPart(), duration.toSecondsPart());
    }
}

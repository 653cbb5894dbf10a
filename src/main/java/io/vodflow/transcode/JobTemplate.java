package io.vodflow.transcode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vodflow.config.VodflowConfig;
import io.vodflow.media.MediaInfo;
import io.vodflow.media.RenditionLimits;
import io.vodflow.storage.VideoKeys;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The MediaConvert JobSettings every video is transcoded with: the bundled
 * {@code transcode/job-template.json}, or the file an operator configured. Read once at start-up, so
 * that an unreadable file stops the service instead of failing every job; start-up also checks it
 * against the configured engine.
 */
@Singleton
public class JobTemplate {

    static final String BUNDLED = "transcode/job-template.json";

    private final ObjectNode template;
    private final VodflowConfig.Storage storage;
    private final Duration longest;

    JobTemplate(VodflowConfig config, ObjectMapper json) {
        this.storage = config.storage();
        this.longest = config.ceilings().maxDuration();
        this.template = load(
                config.transcoder().templateFile().map(path -> {
                    try {
                        return Files.newInputStream(path);
                    } catch (IOException e) {
                        throw new UncheckedIOException("Cannot read the job template " + path, e);
                    }
                }),
                json);
    }

    private static ObjectNode load(Optional<InputStream> configured, ObjectMapper json) {
        try (InputStream in =
                configured.orElseGet(() -> JobTemplate.class.getClassLoader().getResourceAsStream(BUNDLED))) {
            JsonNode node = json.readTree(in);
            // Accept both a bare JobSettings and a job or job template export that wraps it in "Settings".
            JsonNode settings = node.has("Settings") ? node.get("Settings") : node;
            if (!(settings instanceof ObjectNode object)
                    || !object.path("OutputGroups").isArray()) {
                throw new IllegalStateException(
                        "The job template has no OutputGroups: it is not MediaConvert JobSettings");
            }
            return object;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot parse the job template", e);
        }
    }

    /** A copy of the template as read. */
    public ObjectNode settings() {
        return template.deepCopy();
    }

    /**
     * The template fitted to one video's source, with its input and output locations, its input
     * clipped at the longest source accepted: a file whose header understates its length, or leaves
     * it out, costs no more transcoding than an honest file within the ceiling.
     *
     * @param limits the client's limits on the ladder, or null
     */
    public ObjectNode fitted(String videoId, MediaInfo media, RenditionLimits limits) {
        String outputs = "s3://" + storage.outputBucket() + "/" + VideoKeys.outputs(videoId);
        ObjectNode settings = LadderFitter.fit(
                template,
                new LadderFitter.Destinations(
                        "s3://" + storage.inputBucket() + "/" + VideoKeys.source(videoId),
                        outputs + "hls/master",
                        outputs + "thumbnails/thumb"),
                media,
                limits);
        for (JsonNode input : settings.withArrayProperty("Inputs")) {
            ((ObjectNode) input).putArray("InputClippings").addObject().put("EndTimecode", endTimecode(longest));
        }
        return settings;
    }

    /**
     * A ZEROBASED timecode at {@code duration}, rounded up to whole seconds. Hours have two digits,
     * so it is under 24 hours ({@link TranscoderChecks} holds the ceiling there).
     */
    static String endTimecode(Duration duration) {
        long seconds = duration.plusNanos(999_999_999).toSeconds();
        return String.format(Locale.ROOT, "%02d:%02d:%02d:00", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    /** Why the template's inputs cannot be clipped at a timecode counted from their start, or empty. */
    Optional<String> unclippable() {
        for (JsonNode input : template.path("Inputs")) {
            if (!"ZEROBASED".equals(input.path("TimecodeSource").asText())) {
                return Optional.of("Every input of the job template needs \"TimecodeSource\": \"ZEROBASED\":"
                        + " vodflow clips inputs at vodflow.ceilings.max-duration, counted from their start.");
            }
        }
        return Optional.empty();
    }
}

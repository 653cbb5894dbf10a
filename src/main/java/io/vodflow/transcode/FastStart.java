package io.vodflow.transcode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.VideoKeys;
import io.vodflow.transcode.local.LocalTranscoder;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Fast start in front of MediaConvert ({@code vodflow.fast-start.enabled}): MediaConvert's HLS outputs
 * exist only once its whole job is done, so the local engine also makes a preview of each attempt, the
 * ladder's lowest rendition and nothing else, which it publishes while it encodes as it does any job.
 * The video plays from the preview's master playlist within seconds; MediaConvert's COMPLETE replaces
 * it with the full ladder, and the preview is stopped and removed then.
 *
 * <p>The preview's files lie beside MediaConvert's, named {@code hls/preview*} where MediaConvert's
 * are {@code hls/master*}; its events carry {@code preview} in their userMetadata, and only their
 * playable moment is the video's business.
 */
@ApplicationScoped
public class FastStart {

    /** The preview's base name, beside MediaConvert's {@code master}. */
    static final String BASE_NAME = "preview";

    private static final Duration REMOVE_DEADLINE = Duration.ofMinutes(1);

    private final boolean enabled;
    private final Transcoder local;
    private final ObjectStore store;
    private final String outputBucket;

    FastStart(VodflowConfig config, @Identifier("local") Transcoder local, ObjectStore store) {
        this.enabled = config.transcoder().backend() == VodflowConfig.Transcoder.Backend.MEDIACONVERT
                && config.fastStart().enabled();
        this.local = local;
        this.store = store;
        this.outputBucket = config.storage().outputBucket();
    }

    /**
     * Has the local engine make the attempt's preview, once however often this is called; nothing
     * without fast start.
     */
    public Uni<Void> preview(TranscodeRequest request) {
        if (!enabled) {
            return Uni.createFrom().voidItem();
        }
        return local.submit(request.asPreview(previewSettings(request.settings())))
                .replaceWithVoid();
    }

    /**
     * The attempt's job ended (or its video went): its preview stops, and its files are removed. Nothing
     * without fast start; calling it again changes nothing.
     */
    public Uni<Void> end(String videoId, int attempt) {
        if (!enabled) {
            return Uni.createFrom().voidItem();
        }
        String previewJob = LocalTranscoder.jobId(TranscodeRequest.idempotencyToken(videoId, attempt, true));
        return local.cancel(previewJob).flatMap(canceled -> remove(videoId));
    }

    /** Removes whatever a preview of the video left in storage. */
    public Uni<Void> remove(String videoId) {
        return store.deletePrefix(outputBucket, VideoKeys.outputs(videoId) + "hls/" + BASE_NAME)
                .ifNoItem()
                .after(REMOVE_DEADLINE)
                .fail();
    }

    /**
     * The fitted settings cut down to a preview: the HLS group with only its last (lowest) rendition,
     * written under the preview's name; no thumbnails, which MediaConvert makes.
     */
    static ObjectNode previewSettings(ObjectNode fitted) {
        ObjectNode settings = fitted.deepCopy();
        ArrayNode groups = (ArrayNode) settings.path("OutputGroups");
        ObjectNode hls = null;
        for (JsonNode group : groups) {
            if (LadderFitter.HLS_GROUP.equals(
                    group.path("OutputGroupSettings").path("Type").asText())) {
                hls = (ObjectNode) group;
            }
        }
        if (hls == null) {
            throw new IllegalArgumentException("The job settings have no HLS output group to preview");
        }
        ArrayNode outputs = (ArrayNode) hls.path("Outputs");
        JsonNode lowest = outputs.get(outputs.size() - 1);
        outputs.removeAll().add(lowest);
        ObjectNode hlsSettings = (ObjectNode) hls.path("OutputGroupSettings").path("HlsGroupSettings");
        String destination = hlsSettings.path("Destination").asText();
        hlsSettings.put("Destination", destination.substring(0, destination.lastIndexOf('/') + 1) + BASE_NAME);
        groups.removeAll().add(hls);
        return settings;
    }
}

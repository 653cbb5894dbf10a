package io.vodflow.status;

import io.smallrye.mutiny.Uni;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import io.vodflow.video.Video;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Turns a COMPLETE event's outputGroupDetails into the outputs of a video: keys of the master playlist,
 * of every rendition with its size and bitrate (read from the master playlist, which both engines
 * write), and of every thumbnail (MediaConvert names only the last capture); then has them checked
 * playable.
 */
@ApplicationScoped
class JobOutputs {

    private static final Pattern CAPTURE = Pattern.compile("(.*\\.)(\\d+)(\\.[a-z]+)");
    private static final Pattern BANDWIDTH = Pattern.compile("[:,]BANDWIDTH=(\\d+)");

    private static final Logger LOG = Logger.getLogger(JobOutputs.class);

    private final ObjectStore store;
    private final PlayableCheck check;

    JobOutputs(ObjectStore store, PlayableCheck check) {
        this.store = store;
        this.check = check;
    }

    /**
     * What a COMPLETE job produced, and why it cannot be played.
     *
     * @param problem null when the outputs were checked playable
     */
    record Produced(Video.Outputs outputs, String problem) {}

    /** What a COMPLETE event produced, checked in storage; null for any other event. */
    Uni<Produced> of(JobEvent event) {
        if (!"COMPLETE".equals(event.status())) {
            return Uni.createFrom().nullItem();
        }
        String master = event.outputGroups().stream()
                .filter(group -> group.type().startsWith("HLS"))
                .flatMap(group -> group.playlistFilePaths().stream())
                .findFirst()
                .orElse(null);
        if (master == null) {
            return Uni.createFrom()
                    .item(new Produced(outputs(event, null, Map.of()), "the job wrote no HLS master playlist"));
        }
        S3Uri uri = S3Uri.parse(master);
        return store.read(uri.bucket(), uri.key())
                .onFailure(NoSuchKeyException.class)
                .recoverWithNull()
                .flatMap(text -> {
                    if (text == null) {
                        return Uni.createFrom()
                                .item(new Produced(
                                        outputs(event, uri.key(), Map.of()), "its master playlist is not in storage"));
                    }
                    Video.Outputs produced = outputs(event, uri.key(), bandwidths(text));
                    return check.problem(uri, text, produced).map(problem -> new Produced(produced, problem));
                });
    }

    private static Video.Outputs outputs(JobEvent event, String masterKey, Map<String, Long> bandwidths) {
        List<Video.Rendition> renditions = new ArrayList<>();
        List<String> thumbnails = new ArrayList<>();
        long durationMs = 0;
        for (JobEvent.OutputGroup group : event.outputGroups()) {
            for (JobEvent.OutputDetail output : group.outputs()) {
                if (output.filePath() == null) {
                    continue;
                }
                String key = S3Uri.parse(output.filePath()).key();
                if (group.type().startsWith("HLS")) {
                    String fileName = key.substring(key.lastIndexOf('/') + 1);
                    renditions.add(new Video.Rendition(
                            key,
                            output.width() == null ? 0 : output.width(),
                            output.height() == null ? 0 : output.height(),
                            bandwidths.getOrDefault(fileName, 0L)));
                    durationMs = Math.max(durationMs, output.durationMs());
                } else {
                    thumbnails.addAll(allCaptures(key));
                }
            }
        }
        return new Video.Outputs(masterKey, renditions, thumbnails, durationMs);
    }

    /** How many captures {@link #allCaptures} lists for this last capture. */
    static long captureCount(String lastKey) {
        Matcher matcher = CAPTURE.matcher(lastKey);
        if (!matcher.matches()) {
            return 1;
        }
        String number = matcher.group(2);
        return number.length() > 9 ? Long.MAX_VALUE : Long.parseLong(number) + 1;
    }

    /** Every capture up to the last one: thumb.0000003.jpg gives thumb.0000000.jpg to thumb.0000003.jpg. */
    static List<String> allCaptures(String lastKey) {
        Matcher matcher = CAPTURE.matcher(lastKey);
        if (!matcher.matches()) {
            return List.of(lastKey);
        }
        int digits = matcher.group(2).length();
        int last = Integer.parseInt(matcher.group(2));
        List<String> keys = new ArrayList<>(last + 1);
        for (int i = 0; i <= last; i++) {
            keys.add(matcher.group(1) + String.format("%0" + digits + "d", i) + matcher.group(3));
        }
        return keys;
    }

    /** BANDWIDTH of every variant of a master playlist, by the variant's file name. */
    static Map<String, Long> bandwidths(String masterPlaylist) {
        Map<String, Long> result = new HashMap<>();
        Long pending = null;
        for (String line : masterPlaylist.split("\\R")) {
            if (line.startsWith("#EXT-X-STREAM-INF")) {
                Matcher matcher = BANDWIDTH.matcher(line);
                pending = matcher.find() ? Long.valueOf(matcher.group(1)) : null;
            } else if (!line.isBlank() && !line.startsWith("#") && pending != null) {
                result.put(line.strip().substring(line.strip().lastIndexOf('/') + 1), pending);
                pending = null;
            }
        }
        return result;
    }
}

package io.vodflow.status;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import io.vodflow.video.Video;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether what a COMPLETE job left in storage plays, before the video is called COMPLETE: the master
 * playlist lists every rendition the job reported, each rendition playlist has a valid target
 * duration and at least one segment, and every file a playlist names is in the output bucket.
 * Whatever the engine, a player never gets a stream that cannot start.
 */
@ApplicationScoped
class PlayableCheck {

    private static final Pattern TARGET_DURATION = Pattern.compile("#EXT-X-TARGETDURATION:(\\d+)");

    private final ObjectStore store;

    PlayableCheck(ObjectStore store) {
        this.store = store;
    }

    /**
     * @param master the master playlist's location, its text already read
     * @return why the outputs cannot be played, or null when they can
     */
    Uni<String> problem(S3Uri master, String masterText, Video.Outputs outputs) {
        List<String> variants = uris(masterText);
        List<String> listed = variants.stream().map(master::sibling).toList();
        for (Video.Rendition rendition : outputs.renditions()) {
            if (!listed.contains(rendition.playlistKey())) {
                return Uni.createFrom()
                        .item("the master playlist does not list the rendition " + rendition.playlistKey());
            }
        }
        if (variants.isEmpty()) {
            return Uni.createFrom().item("the master playlist lists no rendition");
        }
        String directory = master.key().substring(0, master.key().lastIndexOf('/') + 1);
        return store.keys(master.bucket(), directory).flatMap(stored -> Multi.createFrom()
                .iterable(variants)
                .onItem()
                .transformToUniAndConcatenate(variant -> variantProblem(master, variant, stored))
                .select()
                .where(problem -> problem != null)
                .toUni());
    }

    private Uni<String> variantProblem(S3Uri master, String variant, Set<String> stored) {
        String key = master.sibling(variant);
        if (!stored.contains(key)) {
            return Uni.createFrom().item("the rendition playlist " + variant + " is not in storage");
        }
        return store.read(master.bucket(), key).map(text -> {
            Matcher target = TARGET_DURATION.matcher(text);
            if (!target.find() || Integer.parseInt(target.group(1)) <= 0) {
                return "the rendition playlist " + variant + " has no valid target duration";
            }
            List<String> segments = uris(text);
            if (segments.isEmpty()) {
                return "the rendition playlist " + variant + " lists no segment";
            }
            return segments.stream()
                    // Segments are named relative to their own playlist, which may lie in a subdirectory.
                    .filter(segment -> !stored.contains(new S3Uri(master.bucket(), key).sibling(segment)))
                    .findFirst()
                    .map(missing -> "the segment " + missing + " of " + variant + " is not in storage")
                    .orElse(null);
        });
    }

    /** The URIs a playlist names: its lines that are neither blank nor tags or comments. */
    private static List<String> uris(String playlist) {
        return playlist.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }
}

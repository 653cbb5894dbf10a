package io.vodflow.transcode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vodflow.media.MediaInfo;
import io.vodflow.media.RenditionLimits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Fits a MediaConvert JobSettings template to one source: fills in the input and destinations, never
 * upscales, turns the ladder for portrait sources, keeps the source's aspect ratio with even
 * dimensions, drops audio when there is none and video when there is none, and applies the client's
 * limits. The template stays the single description of what both engines produce.
 */
public final class LadderFitter {

    static final String HLS_GROUP = "HLS_GROUP_SETTINGS";
    static final String FILE_GROUP = "FILE_GROUP_SETTINGS";
    static final String FRAME_CAPTURE = "FRAME_CAPTURE";

    private LadderFitter() {}

    /** Where the job reads and writes, as MediaConvert URIs. */
    public record Destinations(String input, String hls, String thumbnails) {}

    public static ObjectNode fit(
            ObjectNode template, Destinations destinations, MediaInfo media, RenditionLimits wishes) {
        ObjectNode settings = template.deepCopy();
        for (JsonNode input : settings.withArrayProperty("Inputs")) {
            ObjectNode in = (ObjectNode) input;
            in.put("FileInput", destinations.input());
            if (!media.hasAudio()) {
                in.remove("AudioSelectors");
            }
            if (!media.hasVideo()) {
                in.remove("VideoSelector");
            }
        }
        ArrayNode groups = settings.withArrayProperty("OutputGroups");
        for (int i = groups.size() - 1; i >= 0; i--) {
            ObjectNode group = (ObjectNode) groups.get(i);
            ObjectNode groupSettings = group.withObjectProperty("OutputGroupSettings");
            String type = groupSettings.path("Type").asText();
            if (HLS_GROUP.equals(type)) {
                groupSettings.withObjectProperty("HlsGroupSettings").put("Destination", destinations.hls());
                fitHls(group, media, wishes);
            } else if (FILE_GROUP.equals(type) && isFrameCapture(group)) {
                if (!media.hasVideo()) {
                    groups.remove(i);
                    continue;
                }
                groupSettings.withObjectProperty("FileGroupSettings").put("Destination", destinations.thumbnails());
                for (JsonNode output : group.withArrayProperty("Outputs")) {
                    fitInsideBox(output.withObjectProperty("VideoDescription"), media);
                }
            }
        }
        return settings;
    }

    private static void fitHls(ObjectNode group, MediaInfo media, RenditionLimits wishes) {
        ArrayNode outputs = group.withArrayProperty("Outputs");
        if (!media.hasAudio()) {
            outputs.forEach(output -> ((ObjectNode) output).remove("AudioDescriptions"));
        }
        if (!media.hasVideo()) {
            // Audio only: one rendition carrying the template's audio, no picture.
            ObjectNode audio = (ObjectNode) outputs.get(0);
            audio.remove("VideoDescription");
            audio.put("NameModifier", "_audio");
            outputs.removeAll();
            outputs.add(audio);
            return;
        }
        int sourceLines = Math.min(media.displayWidth(), media.displayHeight());
        int cap =
                wishes != null && wishes.maxHeight() != null ? Math.min(sourceLines, wishes.maxHeight()) : sourceLines;
        List<ObjectNode> rungs = new ArrayList<>();
        outputs.forEach(output -> rungs.add((ObjectNode) output));
        rungs.sort(Comparator.comparingInt(LadderFitter::lines));

        List<ObjectNode> kept = new ArrayList<>(
                rungs.stream().filter(rung -> lines(rung) <= cap).toList());
        boolean capReached = kept.stream().anyMatch(rung -> lines(rung) == cap);
        if (!capReached) {
            // The smallest rung above the source becomes a rung at the source's size, so that the best
            // rendition is as sharp as the source allows.
            rungs.stream().filter(rung -> lines(rung) > cap).findFirst().ifPresent(rung -> {
                rung.put("NameModifier", "_" + cap + "p");
                setLines(rung, cap);
                kept.add(rung);
            });
        }
        kept.sort(Comparator.comparingInt(LadderFitter::lines).reversed());
        outputs.removeAll();
        for (ObjectNode rung : kept) {
            shape(rung.withObjectProperty("VideoDescription"), lines(rung), media);
            if (wishes != null && wishes.maxBitrate() != null) {
                capBitrate(rung.withObjectProperty("VideoDescription"), wishes.maxBitrate());
            }
            outputs.add(rung);
        }
    }

    /** The rung's size as people name it (720p): its shorter side. */
    static int lines(JsonNode rung) {
        JsonNode video = rung.path("VideoDescription");
        return Math.min(
                video.path("Width").asInt(Integer.MAX_VALUE),
                video.path("Height").asInt(Integer.MAX_VALUE));
    }

    private static void setLines(ObjectNode rung, int lines) {
        ObjectNode video = rung.withObjectProperty("VideoDescription");
        video.put("Width", lines);
        video.put("Height", lines);
    }

    /** Sets width and height for {@code lines} on the short side, with the source's aspect ratio. */
    private static void shape(ObjectNode video, int lines, MediaInfo media) {
        int width = media.displayWidth();
        int height = media.displayHeight();
        if (width >= height) {
            video.put("Height", even(lines, height));
            video.put("Width", even((double) lines * width / height, width));
        } else {
            video.put("Width", even(lines, width));
            video.put("Height", even((double) lines * height / width, height));
        }
    }

    /** Scales the template's box to the source's aspect ratio, turned for portrait, never upscaling. */
    private static void fitInsideBox(ObjectNode video, MediaInfo media) {
        int boxLong = Math.max(video.path("Width").asInt(), video.path("Height").asInt());
        int boxShort =
                Math.min(video.path("Width").asInt(), video.path("Height").asInt());
        int width = media.displayWidth();
        int height = media.displayHeight();
        int boxWidth = width >= height ? boxLong : boxShort;
        int boxHeight = width >= height ? boxShort : boxLong;
        double scale = Math.min(1, Math.min((double) boxWidth / width, (double) boxHeight / height));
        video.put("Width", even(width * scale, width));
        video.put("Height", even(height * scale, height));
    }

    private static void capBitrate(ObjectNode video, int maxBitrate) {
        JsonNode codec = video.path("CodecSettings");
        for (JsonNode settings : codec) {
            if (settings instanceof ObjectNode codecSettings) {
                for (String field : List.of("MaxBitrate", "Bitrate")) {
                    if (codecSettings.has(field) && codecSettings.path(field).asInt() > maxBitrate) {
                        codecSettings.put(field, maxBitrate);
                    }
                }
            }
        }
    }

    private static boolean isFrameCapture(JsonNode group) {
        for (JsonNode output : group.path("Outputs")) {
            if (FRAME_CAPTURE.equals(output.path("VideoDescription")
                    .path("CodecSettings")
                    .path("Codec")
                    .asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The even number nearest to {@code value}, but not above {@code limit}: H.264 in 4:2:0 needs even
     * dimensions, and no dimension may exceed the source's.
     */
    static int even(double value, int limit) {
        int nearest = (int) Math.round(value / 2) * 2;
        return Math.max(2, Math.min(nearest, limit / 2 * 2));
    }
}

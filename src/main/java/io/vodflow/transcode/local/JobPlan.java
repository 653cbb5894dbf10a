package io.vodflow.transcode.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vodflow.storage.S3Uri;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the local engine makes of MediaConvert JobSettings: one HLS group of H.264/AAC renditions and
 * an optional frame-capture group. Every setting is checked against what the engine implements; any
 * other setting, or a value it cannot honour, is named in an {@link UnsupportedSettingsException}
 * rather than silently ignored.
 *
 * @param inputEnd where reading the input stops (its clipping's end timecode, counted from its start),
 *     or null to read it to its end
 */
record JobPlan(String input, Duration inputEnd, Hls hls, FrameCapture frameCapture) {

    /** An input clipping's end, in whole seconds: what vodflow's jobs carry. */
    private static final Pattern END_TIMECODE = Pattern.compile("(\\d{2}):([0-5]\\d):([0-5]\\d):00");

    /** The HLS group: where it goes and its renditions. */
    record Hls(S3Uri destination, double segmentSeconds, List<Rendition> renditions) {}

    /** One rung: video (absent for audio-only) and audio (absent for video-only). */
    record Rendition(String nameModifier, VideoSettings video, AudioSettings audio) {}

    /**
     * H.264 settings.
     *
     * @param quality QVBR quality level 1-10, or 0 when the rate control is not QVBR
     * @param gop the GOP size, in {@code gopUnit}s
     */
    record VideoSettings(
            int width,
            int height,
            String rateControl,
            long bitrate,
            long maxBitrate,
            int quality,
            double gop,
            String gopUnit,
            String profile) {}

    record AudioSettings(long bitrate, int sampleRate, int channels) {}

    /** Frame capture: {@code numerator/denominator} images per second, at most {@code maxCaptures}. */
    record FrameCapture(
            S3Uri destination, int width, int height, int numerator, int denominator, int maxCaptures, int quality) {}

    /**
     * Every setting the engine implements, as a path with {@code *} for array indexes and map keys,
     * and, where only some values are implemented, those values.
     */
    private static final Map<String, Set<String>> SUPPORTED = Map.ofEntries(
            Map.entry("TimecodeConfig.Source", Set.of("ZEROBASED", "EMBEDDED")),
            Map.entry("Inputs.*.FileInput", Set.of()),
            Map.entry("Inputs.*.TimecodeSource", Set.of("ZEROBASED", "EMBEDDED")),
            Map.entry("Inputs.*.InputClippings.*.EndTimecode", Set.of()),
            Map.entry("Inputs.*.VideoSelector.Rotate", Set.of("AUTO")),
            Map.entry("Inputs.*.AudioSelectors.*.DefaultSelection", Set.of("DEFAULT")),
            Map.entry("OutputGroups.*.Name", Set.of()),
            Map.entry("OutputGroups.*.OutputGroupSettings.Type", Set.of("HLS_GROUP_SETTINGS", "FILE_GROUP_SETTINGS")),
            Map.entry("OutputGroups.*.OutputGroupSettings.HlsGroupSettings.Destination", Set.of()),
            Map.entry("OutputGroups.*.OutputGroupSettings.HlsGroupSettings.SegmentLength", Set.of()),
            Map.entry("OutputGroups.*.OutputGroupSettings.HlsGroupSettings.MinSegmentLength", Set.of("0")),
            Map.entry("OutputGroups.*.OutputGroupSettings.FileGroupSettings.Destination", Set.of()),
            Map.entry("OutputGroups.*.Outputs.*.NameModifier", Set.of()),
            Map.entry("OutputGroups.*.Outputs.*.ContainerSettings.Container", Set.of("M3U8", "RAW")),
            Map.entry("OutputGroups.*.Outputs.*.VideoDescription.Width", Set.of()),
            Map.entry("OutputGroups.*.Outputs.*.VideoDescription.Height", Set.of()),
            Map.entry(
                    "OutputGroups.*.Outputs.*.VideoDescription.CodecSettings.Codec", Set.of("H_264", "FRAME_CAPTURE")),
            Map.entry(h264("RateControlMode"), Set.of("QVBR", "CBR", "VBR")),
            Map.entry(h264("Bitrate"), Set.of()),
            Map.entry(h264("MaxBitrate"), Set.of()),
            Map.entry(h264("QvbrSettings.QvbrQualityLevel"), Set.of()),
            Map.entry(h264("GopSize"), Set.of()),
            Map.entry(h264("GopSizeUnits"), Set.of("SECONDS", "FRAMES")),
            Map.entry(h264("CodecProfile"), Set.of("HIGH", "MAIN", "BASELINE")),
            Map.entry(frameCapture("FramerateNumerator"), Set.of()),
            Map.entry(frameCapture("FramerateDenominator"), Set.of()),
            Map.entry(frameCapture("MaxCaptures"), Set.of()),
            Map.entry(frameCapture("Quality"), Set.of()),
            Map.entry("OutputGroups.*.Outputs.*.AudioDescriptions.*.AudioSourceName", Set.of()),
            Map.entry("OutputGroups.*.Outputs.*.AudioDescriptions.*.CodecSettings.Codec", Set.of("AAC")),
            Map.entry(aac("Bitrate"), Set.of()),
            Map.entry(aac("SampleRate"), Set.of()),
            Map.entry(aac("CodingMode"), Set.of("CODING_MODE_1_0", "CODING_MODE_2_0")));

    private static String h264(String setting) {
        return "OutputGroups.*.Outputs.*.VideoDescription.CodecSettings.H264Settings." + setting;
    }

    private static String frameCapture(String setting) {
        return "OutputGroups.*.Outputs.*.VideoDescription.CodecSettings.FrameCaptureSettings." + setting;
    }

    private static String aac(String setting) {
        return "OutputGroups.*.Outputs.*.AudioDescriptions.*.CodecSettings.AacSettings." + setting;
    }

    /** @throws UnsupportedSettingsException naming every setting the engine does not implement */
    static JobPlan of(ObjectNode settings) {
        List<String> unsupported = new ArrayList<>();
        collectUnsupported(settings, "", "", unsupported);
        JsonNode inputs = settings.path("Inputs");
        if (inputs.size() != 1) {
            unsupported.add("Inputs (exactly one input is supported, found " + inputs.size() + ")");
        }
        Duration inputEnd = inputs.size() == 1 ? inputEnd(inputs.get(0), unsupported) : null;
        Hls hls = null;
        FrameCapture capture = null;
        JsonNode groups = settings.path("OutputGroups");
        for (int i = 0; i < groups.size(); i++) {
            JsonNode group = groups.get(i);
            String type = group.path("OutputGroupSettings").path("Type").asText();
            if ("HLS_GROUP_SETTINGS".equals(type)) {
                if (hls != null) {
                    unsupported.add("OutputGroups[" + i + "] (only one HLS group is supported)");
                }
                hls = hls(group);
            } else if ("FILE_GROUP_SETTINGS".equals(type)) {
                if (capture != null || group.path("Outputs").size() != 1) {
                    unsupported.add(
                            "OutputGroups[" + i + "] (only one file group with one frame capture output is supported)");
                    continue;
                }
                if (!"FRAME_CAPTURE"
                        .equals(group.at("/Outputs/0/VideoDescription/CodecSettings/Codec")
                                .asText())) {
                    unsupported.add("OutputGroups[" + i + "] (file groups are supported for frame capture only)");
                    continue;
                }
                capture = frameCapture(group);
            }
        }
        if (hls == null) {
            unsupported.add("OutputGroups (an HLS group is required)");
        } else {
            for (int i = 0; i < hls.renditions().size(); i++) {
                Rendition rendition = hls.renditions().get(i);
                if (rendition.video() == null && rendition.audio() == null) {
                    unsupported.add("HLS output " + i + " (has neither video nor audio)");
                }
            }
        }
        if (!unsupported.isEmpty()) {
            throw new UnsupportedSettingsException(unsupported);
        }
        return new JobPlan(inputs.get(0).path("FileInput").asText(), inputEnd, hls, capture);
    }

    private static Duration inputEnd(JsonNode input, List<String> unsupported) {
        JsonNode clippings = input.path("InputClippings");
        if (clippings.isEmpty()) {
            return null;
        }
        String end = clippings.get(0).path("EndTimecode").asText("");
        Matcher timecode = END_TIMECODE.matcher(end);
        if (clippings.size() > 1 || !timecode.matches()) {
            unsupported.add("Inputs[0].InputClippings (one clipping with an EndTimecode of whole seconds,"
                    + " HH:MM:SS:00, is supported)");
            return null;
        }
        return Duration.ofHours(Integer.parseInt(timecode.group(1)))
                .plusMinutes(Integer.parseInt(timecode.group(2)))
                .plusSeconds(Integer.parseInt(timecode.group(3)));
    }

    private static Hls hls(JsonNode group) {
        JsonNode settings = group.path("OutputGroupSettings").path("HlsGroupSettings");
        List<Rendition> renditions = new ArrayList<>();
        for (JsonNode output : group.path("Outputs")) {
            JsonNode video = output.path("VideoDescription");
            JsonNode audio = output.path("AudioDescriptions")
                    .path(0)
                    .path("CodecSettings")
                    .path("AacSettings");
            renditions.add(new Rendition(
                    output.path("NameModifier").asText(""),
                    video.isMissingNode() ? null : videoSettings(video),
                    output.has("AudioDescriptions")
                            ? new AudioSettings(
                                    audio.path("Bitrate").asLong(128_000),
                                    audio.path("SampleRate").asInt(48_000),
                                    "CODING_MODE_1_0"
                                                    .equals(audio.path("CodingMode")
                                                            .asText())
                                            ? 1
                                            : 2)
                            : null));
        }
        return new Hls(
                S3Uri.parse(settings.path("Destination").asText(null)),
                settings.path("SegmentLength").asDouble(10),
                renditions);
    }

    private static VideoSettings videoSettings(JsonNode video) {
        JsonNode h264 = video.path("CodecSettings").path("H264Settings");
        String rateControl = h264.path("RateControlMode").asText("QVBR");
        return new VideoSettings(
                video.path("Width").asInt(),
                video.path("Height").asInt(),
                rateControl,
                h264.path("Bitrate").asLong(0),
                h264.path("MaxBitrate").asLong(0),
                "QVBR".equals(rateControl)
                        ? h264.path("QvbrSettings").path("QvbrQualityLevel").asInt(7)
                        : 0,
                h264.path("GopSize").asDouble(2),
                h264.path("GopSizeUnits").asText("SECONDS"),
                h264.path("CodecProfile").asText("HIGH"));
    }

    private static FrameCapture frameCapture(JsonNode group) {
        JsonNode video = group.at("/Outputs/0/VideoDescription");
        JsonNode capture = video.path("CodecSettings").path("FrameCaptureSettings");
        return new FrameCapture(
                S3Uri.parse(group.at("/OutputGroupSettings/FileGroupSettings/Destination")
                        .asText(null)),
                video.path("Width").asInt(),
                video.path("Height").asInt(),
                capture.path("FramerateNumerator").asInt(1),
                capture.path("FramerateDenominator").asInt(1),
                capture.path("MaxCaptures").asInt(10),
                capture.path("Quality").asInt(80));
    }

    /** Walks the settings and lists every leaf outside {@link #SUPPORTED}, with its value. */
    private static void collectUnsupported(JsonNode node, String path, String pattern, List<String> unsupported) {
        if (node.isObject()) {
            boolean anyKey = pattern.endsWith("AudioSelectors");
            node.properties()
                    .forEach(field -> collectUnsupported(
                            field.getValue(),
                            path.isEmpty() ? field.getKey() : path + "." + field.getKey(),
                            (pattern.isEmpty() ? "" : pattern + ".") + (anyKey ? "*" : field.getKey()),
                            unsupported));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectUnsupported(node.get(i), path + "[" + i + "]", pattern + ".*", unsupported);
            }
        } else {
            Set<String> values = SUPPORTED.get(pattern);
            if (values == null) {
                unsupported.add(path);
            } else if (!values.isEmpty() && !values.contains(node.asText())) {
                unsupported.add(path + "=" + node.asText());
            }
        }
    }

    /** The settings name things the local engine does not implement. */
    static class UnsupportedSettingsException extends RuntimeException {
        UnsupportedSettingsException(List<String> settings) {
            super("The local engine does not support these settings: " + String.join(", ", settings));
        }
    }
}

package io.vodflow.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds out what a source really is with ffprobe: container, streams, size, rotation, frame rate,
 * duration, and whether its first frames decode at all. Reads the source over a presigned GET URL
 * (or a file) the one way {@link SourceInput} allows. Metadata comes first: a source beyond the
 * {@link VodflowConfig.Ceilings ceilings} is refused before a single frame is decoded, and the decode
 * check that follows runs on one thread, with the pixel ceiling; every run has a memory limit, so
 * that one hostile file cannot take down the replica probing it.
 */
@ApplicationScoped
public class SourceProbe {

    /**
     * How a source is shown to decode: its first packets, every frame decoded; and, where those held
     * no whole picture, its first half minute, keyframes only. A stream cut mid-GOP (a broadcast
     * recording) starts with pictures that refer to a keyframe it does not have, and its first
     * keyframe may come seconds in.
     */
    private static final String UNDECODABLE = "UNDECODABLE";

    private enum DecodeCheck {
        FIRST_PACKETS(List.of("-read_intervals", "%+#60")),
        KEYFRAMES(List.of("-skip_frame", "nokey", "-read_intervals", "%+30"));

        private final List<String> arguments;

        DecodeCheck(List<String> arguments) {
            this.arguments = arguments;
        }
    }
    /** ffprobe errors that say the storage did not answer, rather than that the file is bad. */
    private static final Pattern UNREACHABLE = Pattern.compile(
            "Server returned|Connection (refused|reset|timed out)|Network is unreachable|timed out|I/O error");
    /** ffprobe errors that say storage's TLS certificate is not one the tools trust. */
    private static final Pattern UNTRUSTED = Pattern.compile("certificate verify failed");
    /** The widest alignment libavcodec rounds a picture's width up to before it checks its size (AVX-512). */
    private static final long STRIDE_ALIGNMENT = 64;
    /** How Java reports a process that SIGKILL stopped: 128 plus the signal's number. */
    private static final int KILLED = 128 + 9;
    /** ffprobe errors that say the run needed more memory than it was allowed. */
    private static final Pattern OUT_OF_MEMORY =
            Pattern.compile("Cannot allocate memory|out of memory", Pattern.CASE_INSENSITIVE);

    private final FfmpegTools tools;
    private final ObjectMapper json;
    private final VodflowConfig.Ceilings ceilings;
    private final boolean storageOverTls;

    SourceProbe(FfmpegTools tools, ObjectMapper json, VodflowConfig config, ObjectStore store) {
        this.tools = tools;
        this.json = json;
        this.ceilings = config.ceilings();
        this.storageOverTls = store.overTls();
    }

    /** What probing found: the media, or why it is not usable. */
    public sealed interface Result {}

    /**
     * A usable source; the stored size and content type are not filled in here.
     *
     * @param hdr whether the video uses an HDR transfer (PQ or HLG) that needs tone mapping for SDR
     * @param decodedPixels the most pixels a decoder counts for one of its pictures: their width
     *     rounded up to the decoder's stride alignment, times their height (0 without video)
     */
    public record Probed(MediaInfo media, boolean hdr, long decodedPixels) implements Result {}

    /** Not a source vodflow can transcode, with the reason in words for the uploader. */
    public record Unusable(String code, String reason) implements Result {}

    /**
     * Runs ffprobe; blocks, so never call it on an event-loop thread.
     *
     * @throws ProbeException when ffprobe itself could not run or did not finish in time
     */
    public Result probe(String input, Duration timeout) {
        return probe(input, timeout, true);
    }

    /**
     * @param decodeCheck whether to decode the first frames; a source probed with it before can skip it
     */
    public Result probe(String input, Duration timeout, boolean decodeCheck) {
        Result metadata = run(input, timeout, null, null);
        if (!decodeCheck || !(metadata instanceof Probed probed)) {
            return metadata;
        }
        Result decoded = run(input, timeout, probed, DecodeCheck.FIRST_PACKETS);
        return decoded instanceof Unusable unusable && unusable.code().equals(UNDECODABLE)
                ? run(input, timeout, probed, DecodeCheck.KEYFRAMES)
                : decoded;
    }

    /**
     * The {@code -max_pixels} for decoding a source within the ceilings: the pixel ceiling, or what a
     * decoder counts for the source's pictures when that is more (500x400 pictures are counted as
     * 512x400: with a ceiling of 200,000 they would not decode). A picture that grows past both part
     * way through is refused.
     */
    public long decodingBound(Probed source) {
        return Math.max(ceilings.maxPixels(), source.decodedPixels());
    }

    /**
     * @param decodeCheck the source's metadata, to decode its first frames; null to read metadata only
     * @param check which frames to decode; null to read metadata only
     */
    private Result run(String input, Duration timeout, Probed decodeCheck, DecodeCheck check) {
        List<String> arguments = new ArrayList<>(List.of("-v", "error"));
        if (decodeCheck != null) {
            arguments.addAll(List.of("-threads", "1", "-max_pixels", Long.toString(decodingBound(decodeCheck))));
        }
        arguments.addAll(List.of("-print_format", "json", "-show_format", "-show_streams"));
        if (decodeCheck != null) {
            arguments.add("-count_frames");
            arguments.addAll(check.arguments);
        }
        arguments.addAll(SourceInput.arguments(input, storageOverTls));
        FfmpegTools.Execution run = execute(arguments, timeout);
        if (run.outputTooLong()) {
            return new Unusable(
                    "LIMIT_METADATA",
                    "The file's description (its streams and their metadata) is longer than the "
                            + FfmpegTools.MAX_OUTPUT_BYTES / (1024 * 1024) + " MiB accepted");
        }
        if (run.exitCode() == KILLED) {
            // The kernel's OOM killer, which stops the tools first (FfmpegTools), or an operator.
            throw new ProbeException("ffprobe was killed, most likely because its host ran out of memory", null);
        }
        if (run.exitCode() != 0) {
            return refusal(run.errors());
        }
        try {
            JsonNode probe = json.readTree(run.output());
            return MediaCeilings.check(probe, ceilings)
                    .map(Result.class::cast)
                    .orElseGet(() -> interpret(probe, decodeCheck != null));
        } catch (IOException e) {
            throw new ProbeException("Could not read ffprobe's answer: " + e.getMessage(), e);
        }
    }

    /** Runs ffprobe within its memory limit; a run that could not finish is a passing fault. */
    private FfmpegTools.Execution execute(List<String> arguments, Duration timeout) {
        FfmpegTools.Execution run;
        try {
            run = tools.ffprobe()
                    .withMemoryLimit(ceilings.probeMemory().asLongValue())
                    .execute(arguments, timeout);
        } catch (IOException e) {
            throw new ProbeException("Could not run ffprobe: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException("Interrupted while probing", e);
        }
        if (run.timedOut()) {
            throw new ProbeException("ffprobe did not finish within " + timeout.toSeconds() + " s", null);
        }
        return run;
    }

    /** Why ffprobe failed: the file's fault, said for its uploader, or a passing fault, thrown. */
    private Unusable refusal(String errors) {
        String problem = lastLine(errors);
        if (UNTRUSTED.matcher(errors).find()) {
            throw new ProbeException(
                    "ffprobe does not trust storage's TLS certificate (point SSL_CERT_FILE at the CA bundle that"
                            + " signs it): " + problem,
                    null);
        }
        if (isUnreachable(problem)) {
            throw new ProbeException("ffprobe could not read the source: " + problem, null);
        }
        if (OUT_OF_MEMORY.matcher(errors).find()) {
            return new Unusable(
                    "LIMIT_MEMORY",
                    "Reading the file needs more than the "
                            + ceilings.probeMemory().asLongValue() / (1024 * 1024) + " MiB of memory allowed");
        }
        return new Unusable(
                "NOT_MEDIA", "The file is not a video or audio file that ffmpeg can read (" + problem + ")");
    }

    /** Whether an ffmpeg or ffprobe error says that storage did not answer, a passing fault. */
    public static boolean isUnreachable(String error) {
        return UNREACHABLE.matcher(error).find();
    }

    static Result interpret(JsonNode probe, boolean decodeChecked) {
        JsonNode video = firstStream(probe, "video");
        JsonNode audio = firstStream(probe, "audio");
        if (video == null && audio == null) {
            return new Unusable("NO_STREAMS", "The file has neither a video nor an audio stream");
        }
        if (decodeChecked && video != null && video.path("nb_read_frames").asLong(0) == 0) {
            return new Unusable(
                    UNDECODABLE,
                    "The " + video.path("codec_name").asText("video") + " video stream cannot be decoded:"
                            + " the file is damaged or incomplete");
        }
        if (decodeChecked && video == null && audio.path("nb_read_frames").asLong(0) == 0) {
            return new Unusable(
                    UNDECODABLE,
                    "The " + audio.path("codec_name").asText("audio") + " audio stream cannot be decoded:"
                            + " the file is damaged or incomplete");
        }
        JsonNode format = probe.path("format");
        long durationMs = Math.round(format.path("duration").asDouble(0) * 1000);
        if (durationMs <= 0 && video != null) {
            durationMs = Math.round(video.path("duration").asDouble(0) * 1000);
        }
        String transfer = video == null ? "" : video.path("color_transfer").asText("");
        boolean hdr = transfer.equals("smpte2084") || transfer.equals("arib-std-b67");
        return new Probed(
                new MediaInfo(
                        0,
                        null,
                        format.path("format_name").asText(null),
                        video == null ? null : video.path("codec_name").asText(null),
                        audio == null ? null : audio.path("codec_name").asText(null),
                        video == null ? 0 : squarePixelWidth(video),
                        video == null ? 0 : video.path("height").asInt(),
                        video == null ? 0 : rotation(video),
                        video == null ? 0 : frameRate(video),
                        durationMs,
                        audio == null ? 0 : audio.path("channels").asInt()),
                hdr,
                decodedPixels(probe));
    }

    /** See {@link Probed#decodedPixels()}. */
    private static long decodedPixels(JsonNode probe) {
        long most = 0;
        for (JsonNode stream : probe.path("streams")) {
            if ("video".equals(stream.path("codec_type").asText())) {
                long width = stream.path("width").asLong();
                long aligned = (width + STRIDE_ALIGNMENT - 1) / STRIDE_ALIGNMENT * STRIDE_ALIGNMENT;
                most = Math.max(most, aligned * stream.path("height").asLong());
            }
        }
        return most;
    }

    /**
     * The width in square pixels: anamorphic sources (a sample aspect ratio other than 1:1) are
     * displayed wider or narrower than they are stored, and renditions must keep the displayed shape.
     */
    static int squarePixelWidth(JsonNode video) {
        int width = video.path("width").asInt();
        String[] sar = video.path("sample_aspect_ratio").asText("1:1").split(":");
        try {
            double numerator = Double.parseDouble(sar[0]);
            double denominator = sar.length > 1 ? Double.parseDouble(sar[1]) : 1;
            return numerator > 0 && denominator > 0 ? (int) Math.round(width * numerator / denominator) : width;
        } catch (NumberFormatException e) {
            return width;
        }
    }

    /** The first stream of a type; cover art attached to audio files does not count as video. */
    private static JsonNode firstStream(JsonNode probe, String type) {
        for (JsonNode stream : probe.path("streams")) {
            boolean coverArt = stream.path("disposition").path("attached_pic").asInt(0) == 1;
            if (type.equals(stream.path("codec_type").asText()) && !coverArt) {
                return stream;
            }
        }
        return null;
    }

    /**
     * Clockwise degrees a player turns the picture. ffprobe reports the display matrix rotation
     * counter-clockwise; older files carry a clockwise {@code rotate} tag instead.
     */
    static int rotation(JsonNode video) {
        for (JsonNode sideData : video.path("side_data_list")) {
            if (sideData.has("rotation")) {
                return rightAngle(-sideData.path("rotation").asDouble());
            }
        }
        return rightAngle(video.path("tags").path("rotate").asDouble(0));
    }

    /**
     * The right angle the picture is turned by, as ffmpeg counts one: the angle in whole degrees is a
     * multiple of 90. By any other angle, ffmpeg turns the picture within its own frame and MediaConvert
     * does not turn it at all: either way the frame keeps its stored shape, so 0.
     */
    private static int rightAngle(double degrees) {
        long clockwise = ((Math.round(degrees) % 360) + 360) % 360;
        return clockwise % 90 == 0 ? (int) clockwise : 0;
    }

    static double frameRate(JsonNode video) {
        double average = ratio(video.path("avg_frame_rate").asText("0/0"));
        return average > 0 ? average : ratio(video.path("r_frame_rate").asText("0/0"));
    }

    private static double ratio(String fraction) {
        String[] parts = fraction.split("/");
        try {
            double numerator = Double.parseDouble(parts[0]);
            double denominator = parts.length > 1 ? Double.parseDouble(parts[1]) : 1;
            return denominator == 0 ? 0 : Math.round(numerator / denominator * 1000) / 1000.0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String lastLine(String text) {
        String line = text.strip().lines().reduce((first, second) -> second).orElse("no details");
        // ffprobe prefixes messages with the input; a presigned URL is long and says nothing useful.
        int colon = line.lastIndexOf(": ");
        return colon >= 0 ? line.substring(colon + 2) : line;
    }

    /** ffprobe could not do its job: a passing fault, worth another try later. */
    public static class ProbeException extends RuntimeException {
        public ProbeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

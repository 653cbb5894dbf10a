package io.vodflow.transcode.local;

import io.vodflow.media.MediaInfo;
import io.vodflow.media.SourceInput;
import io.vodflow.media.SourceProbe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the one ffmpeg invocation that runs a whole job: the source is decoded once, and a filter
 * graph splits the picture into every rendition and the thumbnails. Names follow MediaConvert's:
 * {@code master.m3u8}, {@code master_720p.m3u8}, {@code master_720p_00001.ts},
 * {@code thumb.0000000.jpg}.
 *
 * <p>The renditions are EVENT playlists, rewritten after every segment, so that the stream plays while
 * it is made. The first segment lasts {@link #FIRST_SEGMENT_SECONDS}, so that it is ready at once; the
 * others the template's segment length. The muxer cuts at the first keyframe once a segment's time has
 * passed, and it has one time for every segment: so the cut points come from the keyframes, placed at
 * 0, then at the end of the first segment, then every segment length (a GOP of one segment, where the
 * template's seconds-long GOP would cut every GOP).
 */
final class FfmpegCommand {

    /** How long the first segment of every rendition is, in seconds. */
    static final int FIRST_SEGMENT_SECONDS = 1;

    private FfmpegCommand() {}

    /**
     * What the engine needs to know about the source beyond the plan.
     *
     * @param storageOverTls whether storage, where {@code input} leads, is reached over HTTPS
     * @param frameRate frames per second, 0 when unknown
     * @param maxPixels the most pixels a decoded picture may have ({@link SourceProbe#decodingBound}): the
     *     probe saw only the first pictures, and a stream may grow part way through
     * @param maxFrameRate the most frames a second any rendition is encoded at (the ceiling's): ffmpeg
     *     encodes HLS at a constant rate guessed from the source's timestamps, which a file can make
     *     tens of thousands a second while its average rate, the one the ceiling checks, stays low
     */
    record Source(
            String input,
            boolean storageOverTls,
            boolean hasVideo,
            boolean hasAudio,
            boolean hdr,
            double frameRate,
            long maxPixels,
            double maxFrameRate) {

        /** The source as probed, read from {@code input}. */
        static Source of(
                String input, boolean storageOverTls, SourceProbe.Probed probed, long maxPixels, double maxFrameRate) {
            MediaInfo media = probed.media();
            return new Source(
                    input,
                    storageOverTls,
                    media.hasVideo(),
                    media.hasAudio(),
                    probed.hdr(),
                    media.frameRate(),
                    maxPixels,
                    maxFrameRate);
        }
    }

    /** HDR (PQ or HLG) to SDR BT.709: linearise, tone-map, convert, then 8-bit 4:2:0. */
    private static final String TONEMAP = "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
            + "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv";

    /** The whole job: every rendition and the thumbnails. */
    static List<String> build(JobPlan plan, Source source, Path outputDir, String preset) {
        return build(plan, source, outputDir, preset, false);
    }

    /**
     * The first segment of every rendition, from the source's first moments. With the settings of
     * {@link #build} (and the next faster preset, see {@link #firstSegmentsPreset}), its segments have
     * the same frames and the same timestamps as the whole run's first ones (audio included: the source is read a little past the first segment, so that the next
     * keyframe cuts it where the whole run cuts it), but they are ready sooner: the whole run's
     * encoders hold frames back for their lookahead until later frames arrive, where this run's end
     * flushes them at once. The segments after the first are cut short: only the first counts.
     */
    static List<String> firstSegments(JobPlan plan, Source source, Path outputDir, String preset) {
        return build(plan, source, outputDir, preset, true);
    }

    /**
     * x264's presets, fastest first. The first segments' run takes the one just faster than the job's:
     * it still makes the same picture types at the same times (B-frames, so the same timestamps), where
     * {@code ultrafast}, which makes none, would shift them; a job already on {@code ultrafast} keeps it.
     */
    private static final List<String> PRESETS = List.of(
            "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo");

    static String firstSegmentsPreset(String preset) {
        int index = PRESETS.indexOf(preset);
        return index > 1 ? PRESETS.get(index - 1) : preset;
    }

    /**
     * How much of the source the first segments' run reads: two frames past the first cut, so that the
     * next segment's keyframe is made and cuts the first; a quarter second past it when the rate is
     * unknown.
     */
    static String firstSegmentsRead(double frameRate) {
        double past = frameRate > 0 ? 2 / frameRate : 0.25;
        return String.format(Locale.ROOT, "%.3f", FIRST_SEGMENT_SECONDS + past);
    }

    /** Whether the renditions start with the short first segment: whenever video places the cuts. */
    static boolean startsShort(JobPlan plan, boolean sourceHasVideo) {
        return sourceHasVideo && plan.hls().renditions().stream().anyMatch(r -> r.video() != null);
    }

    private static List<String> build(JobPlan plan, Source source, Path outputDir, String preset, boolean firstOnly) {
        List<String> args = new ArrayList<>(
                List.of("-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats"));
        // Progress four times a second: each report is when the engine looks for finished segments.
        args.addAll(List.of("-stats_period", "0.25"));
        if (firstOnly) {
            args.addAll(List.of("-t", firstSegmentsRead(source.frameRate())));
        } else if (plan.inputEnd() != null) {
            // The job's clipping: a source that understates its length is read no further than it.
            args.addAll(List.of("-t", Long.toString(plan.inputEnd().toSeconds())));
        }
        // The decoder refuses a picture past the ceiling instead of allocating it (see FfmpegProcess).
        args.addAll(List.of("-max_pixels", Long.toString(source.maxPixels())));
        args.addAll(SourceInput.arguments(source.input(), source.storageOverTls()));
        JobPlan.FrameCapture capture = source.hasVideo() && !firstOnly ? plan.frameCapture() : null;
        List<JobPlan.Rendition> withVideo =
                plan.hls().renditions().stream().filter(r -> r.video() != null).toList();
        if (!withVideo.isEmpty() || capture != null) {
            args.addAll(List.of("-filter_complex", filterGraph(withVideo, capture, source.hdr())));
        }
        List<String> variants = mapRenditions(plan.hls(), source, preset, args);
        args.addAll(hlsOutput(plan.hls(), variants, outputDir, startsShort(plan, source.hasVideo())));
        if (capture != null) {
            args.addAll(thumbnailOutput(capture, outputDir));
        }
        return args;
    }

    /**
     * Maps every rendition's streams, in order, with their encoder settings.
     *
     * @return the HLS muxer's variant stream map, one entry per rendition
     */
    private static List<String> mapRenditions(JobPlan.Hls hls, Source source, String preset, List<String> args) {
        List<JobPlan.Rendition> renditions = hls.renditions();
        List<String> variants = new ArrayList<>();
        int videoIndex = 0;
        int audioIndex = 0;
        for (JobPlan.Rendition rendition : renditions) {
            List<String> parts = new ArrayList<>();
            if (rendition.video() != null) {
                args.addAll(List.of("-map", "[v" + videoIndex + "]"));
                args.addAll(videoOptions(videoIndex, rendition.video(), preset, hls.segmentSeconds()));
                args.addAll(List.of("-fpsmax:v:" + videoIndex, number(source.maxFrameRate())));
                parts.add("v:" + videoIndex++);
            }
            if (rendition.audio() != null && source.hasAudio()) {
                args.addAll(List.of("-map", "0:a:0"));
                args.addAll(audioOptions(audioIndex, rendition.audio()));
                parts.add("a:" + audioIndex++);
            }
            parts.add("name:" + variantName(rendition, variants.size()));
            variants.add(String.join(",", parts));
        }
        return variants;
    }

    /** @param keyframeCuts whether video keyframes place the cuts (see the class comment) */
    private static List<String> hlsOutput(
            JobPlan.Hls hls, List<String> variants, Path outputDir, boolean keyframeCuts) {
        String base = hls.destination().baseName();
        return List.of(
                "-f",
                "hls",
                "-hls_time",
                keyframeCuts ? Integer.toString(FIRST_SEGMENT_SECONDS) : number(hls.segmentSeconds()),
                "-hls_playlist_type",
                "event",
                "-hls_flags",
                "independent_segments+temp_file",
                "-hls_segment_type",
                "mpegts",
                "-start_number",
                "1",
                "-master_pl_name",
                base + ".m3u8",
                "-var_stream_map",
                String.join(" ", variants),
                "-hls_segment_filename",
                outputDir.resolve(base + "%v_%05d.ts").toString(),
                outputDir.resolve(base + "%v.m3u8").toString());
    }

    private static List<String> thumbnailOutput(JobPlan.FrameCapture capture, Path outputDir) {
        return List.of(
                "-map",
                "[thumbs]",
                "-fps_mode",
                "vfr",
                "-c:v",
                "mjpeg",
                "-q:v",
                Integer.toString(jpegQuality(capture.quality())),
                "-frames:v",
                Integer.toString(capture.maxCaptures()),
                "-start_number",
                "0",
                "-f",
                "image2",
                outputDir
                        .resolve(capture.destination().baseName() + ".%07d.jpg")
                        .toString());
    }

    /**
     * Deinterlaces (only frames flagged interlaced), tone-maps HDR, then splits into one scaled,
     * square-pixel 8-bit 4:2:0 picture per rendition, plus the thumbnail picture. Rotation is
     * applied by the decoder, so every output is upright. The picture is the first video stream that
     * is not cover art ({@code 0:V:0}), the one the probe fitted the ladder to: a file may carry its
     * cover as a still picture stream ahead of the video.
     *
     * <p>The deinterlacer makes one frame per frame, as MediaConvert's does: in its default mode (one
     * per field) it declares twice the source's rate, and ffmpeg, which writes HLS at a constant rate,
     * then encoded every frame twice.
     */
    private static String filterGraph(List<JobPlan.Rendition> renditions, JobPlan.FrameCapture capture, boolean hdr) {
        int outputs = renditions.size() + (capture == null ? 0 : 1);
        StringBuilder graph = new StringBuilder("[0:V:0]bwdif=mode=send_frame:deint=interlaced");
        if (hdr) {
            graph.append(',').append(TONEMAP);
        }
        graph.append(",format=yuv420p,split=").append(outputs);
        for (int i = 0; i < outputs; i++) {
            graph.append("[s").append(i).append(']');
        }
        for (int i = 0; i < renditions.size(); i++) {
            JobPlan.VideoSettings video = renditions.get(i).video();
            graph.append(";[s")
                    .append(i)
                    .append("]scale=")
                    .append(video.width())
                    .append(':')
                    .append(video.height())
                    .append(",setsar=1[v")
                    .append(i)
                    .append(']');
        }
        if (capture != null) {
            // One picture at the start, then one whenever the interval has passed: unlike the fps
            // filter, this keeps a capture that falls less than an interval before the end.
            double interval = (double) capture.denominator() / capture.numerator();
            graph.append(";[s")
                    .append(renditions.size())
                    .append("]select='isnan(prev_selected_t)+gte(t-prev_selected_t,")
                    .append(number(interval))
                    .append(")',scale=")
                    .append(capture.width())
                    .append(':')
                    .append(capture.height())
                    .append(",setsar=1[thumbs]");
        }
        return graph.toString();
    }

    private static List<String> videoOptions(
            int index, JobPlan.VideoSettings video, String preset, double segmentSeconds) {
        String s = ":v:" + index;
        List<String> options = new ArrayList<>(List.of(
                "-c" + s, "libx264",
                "-preset" + s, preset,
                "-profile" + s, video.profile().toLowerCase(Locale.ROOT),
                "-pix_fmt" + s, "yuv420p",
                "-sc_threshold" + s, "0"));
        switch (video.rateControl()) {
            case "CBR" -> options.addAll(List.of(
                    "-b" + s, Long.toString(video.bitrate()),
                    "-minrate" + s, Long.toString(video.bitrate()),
                    "-maxrate" + s, Long.toString(video.bitrate()),
                    "-bufsize" + s, Long.toString(video.bitrate())));
            case "VBR" -> {
                options.addAll(List.of("-b" + s, Long.toString(video.bitrate())));
                capRate(options, s, video.maxBitrate());
            }
            default -> {
                // QVBR: constant quality, capped. Level 7 is about CRF 23, each level two CRF steps.
                options.addAll(
                        List.of("-crf" + s, Integer.toString(Math.max(15, Math.min(35, 37 - 2 * video.quality())))));
                capRate(options, s, video.maxBitrate());
            }
        }
        if ("FRAMES".equals(video.gopUnit())) {
            String frames = Integer.toString((int) Math.round(video.gop()));
            options.addAll(List.of("-g" + s, frames, "-keyint_min" + s, frames));
        } else {
            // Keyframes at exact times, whatever the frame rate (variable ones included), so that
            // segments of every rendition start together: the first frame, the end of the first
            // segment, then every segment length; the encoder adds none of its own.
            options.addAll(List.of(
                    "-force_key_frames" + s,
                    "expr:if(eq(n_forced,0),1,gte(t," + FIRST_SEGMENT_SECONDS + "+(n_forced-1)*"
                            + number(segmentSeconds) + "))",
                    "-g" + s,
                    "100000"));
        }
        return options;
    }

    private static void capRate(List<String> options, String stream, long maxBitrate) {
        if (maxBitrate > 0) {
            options.addAll(List.of(
                    "-maxrate" + stream,
                    Long.toString(maxBitrate),
                    "-bufsize" + stream,
                    Long.toString(2 * maxBitrate)));
        }
    }

    private static List<String> audioOptions(int index, JobPlan.AudioSettings audio) {
        String s = ":a:" + index;
        return List.of(
                "-c" + s, "aac",
                "-b" + s, Long.toString(audio.bitrate()),
                "-ar" + s, Integer.toString(audio.sampleRate()),
                "-ac" + s, Integer.toString(audio.channels()));
    }

    /** The variant's file name suffix: the NameModifier, kept to characters ffmpeg's map accepts. */
    static String variantName(JobPlan.Rendition rendition, int index) {
        String name = rendition.nameModifier().replaceAll("[^A-Za-z0-9_.-]", "_");
        return name.isEmpty() ? "_" + (index + 1) : name;
    }

    /** MediaConvert's JPEG quality 1-100 as ffmpeg's mjpeg scale, 2 (best) to 31. */
    static int jpegQuality(int quality) {
        return Math.max(2, Math.min(31, Math.round(31 - quality * 29 / 100f)));
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}

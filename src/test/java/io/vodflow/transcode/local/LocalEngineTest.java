package io.vodflow.transcode.local;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vodflow.config.VodflowConfig;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.FfprobeJson;
import io.vodflow.testing.Processes;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Sources of every awkward kind go through the whole pipeline on the local engine, and their outputs
 * are checked with ffprobe as a player would read them: over HTTP, through the service.
 */
@QuarkusTest
class LocalEngineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final double SEGMENT_SECONDS = 6;
    /** One frame at the slowest rate the cases use: keyframes fall on frames. */
    private static final double FRAME_SECONDS = 0.1;

    @Inject
    FfmpegTools ffmpeg;

    @TestHTTPResource("/")
    URI base;

    @ConfigProperty(name = "vodflow.local.work-dir")
    Path workDir;

    @Inject
    S3Client s3;

    @Inject
    VodflowConfig config;

    /**
     * One source and what must come out of it.
     *
     * @param rungs the expected renditions, as WIDTHxHEIGHT, best first; empty for audio only
     * @param check anything else to verify on the first rendition's video stream
     */
    record Case(
            String name,
            Function<FfmpegTools, Path> source,
            String contentType,
            List<String> rungs,
            boolean audio,
            int thumbnails,
            BiConsumer<JsonNode, JsonNode> check) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> sources() {
        BiConsumer<JsonNode, JsonNode> nothing = (video, sourceProbe) -> {};
        return Stream.of(
                        new Case(
                                "a single frame",
                                tools -> shortClip(tools, 1),
                                "video/mp4",
                                List.of("320x240"),
                                false,
                                1,
                                nothing),
                        new Case(
                                "three frames",
                                tools -> shortClip(tools, 3),
                                "video/mp4",
                                List.of("320x240"),
                                false,
                                1,
                                nothing),
                        new Case(
                                "VP8 and Vorbis in WebM (sample)",
                                tools -> TestResources.media("vp8_vorbis_720p_1s.webm"),
                                "video/webm",
                                List.of("1280x720", "854x480", "640x360"),
                                true,
                                1,
                                nothing),
                        new Case(
                                "MPEG-2 video and MP2 audio in MPEG-PS",
                                tools -> TestMedia.generate(
                                        tools,
                                        "mpeg2.mpg",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "testsrc2=size=854x480:rate=25:duration=8",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "sine=frequency=330:sample_rate=48000:duration=8",
                                        "-c:v",
                                        "mpeg2video",
                                        "-q:v",
                                        "5",
                                        "-c:a",
                                        "mp2"),
                                "video/mpeg",
                                List.of("854x480", "640x360"),
                                true,
                                2,
                                nothing),
                        new Case(
                                "odd dimensions",
                                tools -> TestMedia.generate(
                                        tools,
                                        "odd.mp4",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "testsrc=size=320x240:rate=25:duration=3",
                                        "-vf",
                                        "scale=321:241",
                                        "-c:v",
                                        "libx264",
                                        "-preset",
                                        "ultrafast",
                                        "-pix_fmt",
                                        "yuv444p"),
                                "video/mp4",
                                List.of("320x240"),
                                false,
                                1,
                                nothing),
                        new Case(
                                "rotation metadata",
                                tools -> TestMedia.generate(
                                        tools,
                                        "rotated.mp4",
                                        "-display_rotation",
                                        "90",
                                        "-i",
                                        TestMedia.testPattern(tools, 640, 360, 3, true)
                                                .toString(),
                                        "-c",
                                        "copy"),
                                "video/mp4",
                                List.of("360x640"),
                                true,
                                1,
                                (video, ignored) -> assertThat(
                                                video.path("side_data_list").findValues("rotation"))
                                        .as("no rotation left to apply")
                                        .allMatch(rotation -> rotation.asInt() == 0)),
                        new Case(
                                // ffmpeg turns the picture within its own frame: no right angle, no
                                // portrait ladder for a landscape frame.
                                "rotation metadata at 45 degrees",
                                tools -> TestMedia.generate(
                                        tools,
                                        "tilted.mp4",
                                        "-display_rotation",
                                        "-45",
                                        "-i",
                                        TestMedia.testPattern(tools, 640, 360, 3, true)
                                                .toString(),
                                        "-c",
                                        "copy"),
                                "video/mp4",
                                List.of("640x360"),
                                true,
                                1,
                                nothing),
                        new Case(
                                "MPEG-TS cut mid-GOP",
                                TestMedia::transportStreamCutMidGop,
                                "video/mp2t",
                                List.of("640x360"),
                                true,
                                1,
                                nothing),
                        new Case(
                                "10-bit H.264",
                                tools -> TestMedia.generate(
                                        tools,
                                        "ten-bit.mp4",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "testsrc2=size=640x360:rate=25:duration=3",
                                        "-c:v",
                                        "libx264",
                                        "-preset",
                                        "ultrafast",
                                        "-pix_fmt",
                                        "yuv420p10le"),
                                "video/mp4",
                                List.of("640x360"),
                                false,
                                1,
                                nothing),
                        new Case(
                                "HDR: 10-bit HEVC with the PQ transfer",
                                tools -> TestMedia.generate(
                                        tools,
                                        "hdr.mkv",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "testsrc2=size=640x360:rate=25:duration=3",
                                        "-c:v",
                                        "libx265",
                                        "-preset",
                                        "ultrafast",
                                        "-pix_fmt",
                                        "yuv420p10le",
                                        "-x265-params",
                                        "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc"),
                                "video/x-matroska",
                                List.of("640x360"),
                                false,
                                1,
                                (video, ignored) -> assertThat(
                                                video.path("color_transfer").asText())
                                        .isNotEqualTo("smpte2084")),
                        new Case(
                                "5.1 audio with its channel layout",
                                tools -> TestMedia.generate(
                                        tools,
                                        "surround.mp4",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "testsrc2=size=640x360:rate=25:duration=3",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "sine=frequency=440:sample_rate=48000:duration=3",
                                        "-filter_complex",
                                        "[1:a]pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0[a]",
                                        "-map",
                                        "0:v",
                                        "-map",
                                        "[a]",
                                        "-c:v",
                                        "libx264",
                                        "-preset",
                                        "ultrafast",
                                        "-c:a",
                                        "aac"),
                                "video/mp4",
                                List.of("640x360"),
                                true,
                                1,
                                nothing),
                        new Case(
                                "6 audio channels without a layout",
                                LocalEngineTest::sixChannelsWithoutLayout,
                                "video/x-matroska",
                                List.of("640x360"),
                                true,
                                1,
                                nothing),
                        new Case(
                                "no audio track",
                                tools -> TestMedia.testPattern(tools, 854, 480, 8, false),
                                "video/mp4",
                                List.of("854x480", "640x360"),
                                false,
                                2,
                                nothing),
                        new Case(
                                "variable frame rate",
                                tools -> TestMedia.generate(
                                        tools,
                                        "vfr.mp4",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "testsrc2=size=640x360:rate=30:duration=8",
                                        "-vf",
                                        "select='lt(n,60)+not(mod(n,3))'",
                                        "-fps_mode",
                                        "vfr",
                                        "-c:v",
                                        "libx264",
                                        "-preset",
                                        "ultrafast"),
                                "video/mp4",
                                List.of("640x360"),
                                false,
                                2,
                                nothing),
                        new Case(
                                "interlaced video",
                                tools -> TestMedia.generate(
                                        tools,
                                        "interlaced.mp4",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "testsrc2=size=720x576:rate=25:duration=3",
                                        "-vf",
                                        "tinterlace=mode=interleave_top,fieldorder=tff",
                                        "-c:v",
                                        "libx264",
                                        "-preset",
                                        "ultrafast",
                                        "-flags",
                                        "+ildct+ilme",
                                        "-x264-params",
                                        "interlaced=1:tff=1"),
                                "video/mp4",
                                List.of("720x576", "600x480", "450x360"),
                                false,
                                1,
                                (video, ignored) -> assertThat(
                                                video.path("field_order").asText("progressive"))
                                        .isEqualTo("progressive")),
                        new Case(
                                "non-square pixels",
                                tools -> TestMedia.generate(
                                        tools,
                                        "anamorphic.mp4",
                                        "-f",
                                        "lavfi",
                                        "-i",
                                        "testsrc2=size=720x576:rate=25:duration=3",
                                        "-vf",
                                        "setsar=64/45",
                                        "-c:v",
                                        "libx264",
                                        "-preset",
                                        "ultrafast"),
                                "video/mp4",
                                List.of("1024x576", "854x480", "640x360"),
                                false,
                                1,
                                (video, ignored) -> assertThat(video.path("sample_aspect_ratio")
                                                .asText("1:1"))
                                        .isEqualTo("1:1")),
                        new Case(
                                "audio only (sample)",
                                tools -> TestResources.media("audio_only_aac_15s.mp4"),
                                "video/mp4",
                                List.of(),
                                true,
                                0,
                                nothing))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void transcodesToValidHls(Case source) throws IOException {
        Path file = source.source().apply(ffmpeg);
        JsonNode sourceVideo = stream(FfprobeJson.probe(ffmpeg, file.toString()), "video");
        String id = VideoApi.upload(file, source.contentType());

        JsonPath video = VideoApi.awaitStatus(id, "COMPLETE", TIMEOUT);

        List<Map<String, Object>> renditions = video.getList("playback.renditions");
        assertThat(renditions.stream().map(r -> r.get("width") + "x" + r.get("height")))
                .containsExactlyElementsOf(source.rungs().isEmpty() ? List.of("0x0") : source.rungs());
        for (Map<String, Object> rendition : renditions) {
            String playlist = (String) rendition.get("playlist");
            JsonNode probe = FfprobeJson.probe(ffmpeg, base.resolve(playlist).toString());
            JsonNode videoStream = stream(probe, "video");
            JsonNode audioStream = stream(probe, "audio");
            if (source.rungs().isEmpty()) {
                assertThat(videoStream).as("audio only").isNull();
            } else {
                assertThat(videoStream.path("codec_name").asText()).isEqualTo("h264");
                assertThat(videoStream.path("profile").asText()).isEqualTo("High");
                assertThat(videoStream.path("pix_fmt").asText()).isEqualTo("yuv420p");
                assertThat(videoStream.path("width").asInt() + "x"
                                + videoStream.path("height").asInt())
                        .isEqualTo(rendition.get("width") + "x" + rendition.get("height"));
                // Every frame once: no frame doubled by deinterlacing or by a guessed output rate. (A
                // single frame has no rate to keep.)
                if (!"1".equals(sourceVideo.path("nb_frames").asText())) {
                    assertThat(frameRate(videoStream))
                            .as("frame rate, as the source's")
                            .isCloseTo(frameRate(sourceVideo), within(0.01));
                }
                source.check().accept(videoStream, probe);
            }
            if (source.audio()) {
                assertThat(audioStream).as("audio stream").isNotNull();
                assertThat(audioStream.path("codec_name").asText()).isEqualTo("aac");
                assertThat(audioStream.path("channels").asInt()).isEqualTo(2);
            } else {
                assertThat(audioStream).as("no audio").isNull();
            }
            assertSegmentLengths(
                    given().get(playlist).then().statusCode(200).extract().asString(),
                    !source.rungs().isEmpty());
        }
        String master = given().get(video.getString("playback.masterPlaylist"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        for (Map<String, Object> rendition : renditions) {
            String playlist = (String) rendition.get("playlist");
            assertThat(master).as("master playlist").contains(playlist.substring(playlist.lastIndexOf('/') + 1));
        }
        FfprobeJson.probe(
                ffmpeg, base.resolve(video.getString("playback.masterPlaylist")).toString());
        // A player picks a rendition by its bandwidth: the segments' own, never a placeholder.
        assertThat(Pattern.compile("STREAM-INF:BANDWIDTH=(\\d+)")
                        .matcher(master)
                        .results())
                .hasSize(renditions.size())
                .allSatisfy(bandwidth ->
                        assertThat(Long.parseLong(bandwidth.group(1))).isGreaterThan(1_000));

        List<String> thumbnails = video.getList("playback.thumbnails");
        assertThat(thumbnails).hasSize(source.thumbnails());
        for (String thumbnail : thumbnails) {
            JsonNode image =
                    stream(FfprobeJson.probe(ffmpeg, base.resolve(thumbnail).toString()), "video");
            assertThat(image.path("codec_name").asText()).isEqualTo("mjpeg");
        }
    }

    static Stream<Arguments> unusableSources() {
        return Stream.of(
                Arguments.of(
                        "the broken sample",
                        (Function<FfmpegTools, Path>) tools -> TestResources.media("BROKEN_vp9_invalid_bitstream.webm"),
                        "video/webm",
                        "cannot be decoded"),
                Arguments.of(
                        "a video without a single frame",
                        (Function<FfmpegTools, Path>) tools -> TestMedia.generate(
                                tools,
                                "empty.mp4",
                                "-f",
                                "lavfi",
                                "-i",
                                "testsrc2=size=320x240:duration=1",
                                "-t",
                                "0",
                                "-c:v",
                                "libx264"),
                        "video/mp4",
                        "neither a video nor an audio stream"),
                Arguments.of(
                        "a text file",
                        (Function<FfmpegTools, Path>)
                                tools -> TestMedia.text("notes.mp4", "Shopping list: milk, eggs, bread.\n".repeat(50)),
                        "video/mp4",
                        "not a video or audio file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableSources")
    void unusableSourcesEndInErrorWithAReason(
            String name, Function<FfmpegTools, Path> source, String contentType, String reason) {
        String id = VideoApi.upload(source.apply(ffmpeg), contentType);

        JsonPath video = VideoApi.awaitStatus(id, "ERROR", TIMEOUT);

        assertThat(video.getString("error.message")).contains(reason).doesNotContain("Exception");
        assertThat(video.getString("playback")).isNull();
    }

    @Test
    void everyJobRemovesItsTemporaryFiles() throws IOException {
        String id = VideoApi.upload(TestMedia.testPattern(ffmpeg, 320, 240, 2, true), "video/mp4");
        VideoApi.awaitStatus(id, "COMPLETE", TIMEOUT);

        try (Stream<Path> left = Files.walk(workDir)) {
            assertThat(left.filter(path -> path.getFileName().toString().startsWith("vodflow-job-")))
                    .isEmpty();
        }
    }

    @Test
    void deletingAVideoDuringItsJobStopsFfmpegAndRemovesPartialOutputs() {
        String id = VideoApi.upload(TestMedia.long720p(ffmpeg, 40), "video/mp4");
        String outputs = "videos/" + id + "/";
        // Both at once: the first segments come from a short run of their own, before the whole run.
        await().atMost(TIMEOUT).until(() -> !outputKeys(outputs).isEmpty() && Processes.ffmpegRunningFor(id));

        given().delete("/videos/" + id).then().statusCode(204);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Processes.ffmpegRunningFor(id))
                    .as("ffmpeg still running")
                    .isFalse();
            assertThat(outputKeys(outputs)).as("partial outputs").isEmpty();
        });
        given().get("/videos/" + id).then().statusCode(404);
    }

    @Test
    void aSegmentLeavesTheWorkersDiskOnceStored() {
        String id = VideoApi.upload(TestMedia.long720p(ffmpeg, 40), "video/mp4");
        String outputs = "videos/" + id + "/";
        // Past the first segments, which a short run of its own makes first.
        await().atMost(TIMEOUT)
                .until(() -> storedSegments(outputs).stream().anyMatch(name -> name.endsWith("_00002.ts")));
        List<String> stored = storedSegments(outputs);
        Path job = jobDirectory(id);

        // A source of hours makes tens of gigabytes of segments: only those on their way may be on disk.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(Processes.ffmpegRunningFor(id)).as("still transcoding").isTrue();
            assertThat(segmentsIn(job))
                    .as("stored segments on the worker's disk")
                    .doesNotContainAnyElementsOf(stored);
        });
        JsonPath video = VideoApi.awaitStatus(id, "COMPLETE", TIMEOUT);
        FfprobeJson.probe(
                ffmpeg, base.resolve(video.getString("playback.masterPlaylist")).toString());
    }

    private List<String> storedSegments(String prefix) {
        return outputKeys(prefix).stream()
                .filter(key -> key.endsWith(".ts"))
                .map(key -> key.substring(key.lastIndexOf('/') + 1))
                .toList();
    }

    /** The working directory of the video's job, which its ffmpeg writes to. */
    private static Path jobDirectory(String id) {
        String command = ProcessHandle.allProcesses()
                .map(process -> process.info().commandLine().orElse(""))
                .filter(line -> line.contains(id) && line.contains("vodflow-job-"))
                .findFirst()
                .orElseThrow();
        Matcher directory = Pattern.compile("(/\\S*/vodflow-job-[^/\\s]+)/").matcher(command);
        assertThat(directory.find()).as("a job directory in " + command).isTrue();
        return Path.of(directory.group(1));
    }

    /** The segments in a job's working directory (not those of the first segments' own run). */
    private static List<String> segmentsIn(Path job) throws IOException {
        if (!Files.isDirectory(job)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(job)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".ts"))
                    .toList();
        }
    }

    private List<String> outputKeys(String prefix) {
        return s3
                .listObjectsV2(
                        list -> list.bucket(config.storage().outputBucket()).prefix(prefix))
                .contents()
                .stream()
                .map(object -> object.key())
                .toList();
    }

    /**
     * With video, the first segment lasts a second (or the whole video), to be ready at once; every
     * other one but the last the template's length; all within a frame.
     */
    private static void assertSegmentLengths(String playlist, boolean video) {
        assertThat(playlist).startsWith("#EXTM3U").contains("#EXT-X-ENDLIST").doesNotContain("#EXT-X-TARGETDURATION:0");
        List<Double> durations = playlist.lines()
                .filter(line -> line.startsWith("#EXTINF:"))
                .map(line -> Double.parseDouble(line.substring(8, line.indexOf(','))))
                .toList();
        assertThat(durations).isNotEmpty();
        double first = video ? FfmpegCommand.FIRST_SEGMENT_SECONDS : SEGMENT_SECONDS;
        assertThat(durations.get(0)).isLessThanOrEqualTo(first + FRAME_SECONDS);
        for (int i = 1; i < durations.size() - 1; i++) {
            assertThat(durations.get(i)).isBetween(SEGMENT_SECONDS - FRAME_SECONDS, SEGMENT_SECONDS + FRAME_SECONDS);
        }
        assertThat(durations.get(durations.size() - 1)).isLessThanOrEqualTo(SEGMENT_SECONDS + FRAME_SECONDS);
    }

    private static double frameRate(JsonNode video) {
        String[] rate = video.path("r_frame_rate").asText().split("/");
        return Double.parseDouble(rate[0]) / Double.parseDouble(rate[1]);
    }

    private static JsonNode stream(JsonNode probe, String type) {
        return StreamSupport.stream(probe.path("streams").spliterator(), false)
                .filter(stream -> type.equals(stream.path("codec_type").asText()))
                .findFirst()
                .orElse(null);
    }

    /** A clip of a few frames, shorter than any segment: it must still make a playable stream. */
    private static Path shortClip(FfmpegTools tools, int frames) {
        return TestMedia.generate(
                tools,
                frames + "-frames.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x240:rate=25",
                "-frames:v",
                Integer.toString(frames),
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p");
    }

    /** PCM with six channels and no layout: raw samples first, then muxed with the picture. */
    private static Path sixChannelsWithoutLayout(FfmpegTools tools) {
        Path raw = TestMedia.generate(
                tools,
                "six.pcm",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:sample_rate=48000:duration=3",
                "-af",
                "pan=6c|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0",
                "-f",
                "s16le");
        List<String> arguments = new ArrayList<>(List.of(
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x360:rate=25:duration=3",
                "-f",
                "s16le",
                "-ar",
                "48000",
                "-ch_layout",
                "6C",
                "-i",
                raw.toString(),
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-c:a",
                "pcm_s16le"));
        Path muxed = TestMedia.generate(tools, "six-channels.mkv", arguments.toArray(String[]::new));
        try {
            Files.delete(raw);
        } catch (IOException e) {
            // a temporary file
        }
        return muxed;
    }
}

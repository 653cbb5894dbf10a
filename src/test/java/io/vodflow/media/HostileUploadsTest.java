package io.vodflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vodflow.testing.FfprobeJson;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ordinary uploads that an attacker crafts: manifests that point ffmpeg at internal URLs, and media
 * beyond the ceilings. Each ends in ERROR with a reason, and nothing is fetched or transcoded; a file
 * that hides its length is transcoded no further than the longest accepted.
 */
@QuarkusTest
@TestProfile(HostileUploadsTest.TightCeilings.class)
class HostileUploadsTest {

    /**
     * Every probe of these files must fit in 256 MiB; no source may last more than 4 s, nor have more
     * than 200,000 pixels a frame (a little under 640x360).
     */
    public static class TightCeilings implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "vodflow.ceilings.probe-memory", "256M",
                    "vodflow.ceilings.max-duration", "4s",
                    "vodflow.ceilings.max-pixels", "200000");
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Inject
    FfmpegTools tools;

    @TestHTTPResource("/")
    URI base;

    /** An internal service the manifests point at; it records every path asked for. */
    private HttpServer internal;

    private final Queue<String> requested = new ConcurrentLinkedQueue<>();
    private final Map<String, String[]> served = new ConcurrentHashMap<>();

    @BeforeEach
    void startInternalService() throws IOException {
        internal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        internal.createContext("/", exchange -> {
            requested.add(exchange.getRequestURI().getPath());
            String[] file = served.get(exchange.getRequestURI().getPath());
            byte[] body = file == null ? new byte[0] : file[1].getBytes(StandardCharsets.UTF_8);
            if (file != null) {
                exchange.getResponseHeaders().set("Content-Type", file[0]);
            }
            exchange.sendResponseHeaders(file == null ? 404 : 200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        internal.start();
    }

    @AfterEach
    void stopInternalService() {
        internal.stop(0);
    }

    @Test
    void aDashManifestPosingAsAVideoFetchesNothing() throws Exception {
        String manifest =
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S"
                     minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
                  <Period><AdaptationSet mimeType="video/mp4">
                    <Representation id="1" bandwidth="100000" width="320" height="240">
                      <BaseURL>%s/secret.mp4</BaseURL><SegmentBase indexRange="0-100"/>
                    </Representation>
                  </AdaptationSet></Period>
                </MPD>
                """
                        .formatted(internalUrl());

        assertRefusedWithoutFetching(manifest);
        assertFetchesWhenOpenedWithoutTheAllowLists(manifest, "/manifest.mpd", "application/dash+xml", "/secret.mp4");
    }

    @Test
    void anHlsPlaylistPosingAsAVideoFetchesNothing() throws Exception {
        String playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n" + internalUrl()
                + "/secret.ts\n#EXT-X-ENDLIST\n";

        assertRefusedWithoutFetching(playlist);
        assertFetchesWhenOpenedWithoutTheAllowLists(
                playlist, "/manifest.m3u8", "application/vnd.apple.mpegurl", "/secret.ts");
    }

    @Test
    void aHugeStillIsRefusedByItsPixelCountBeforeAnyFrameIsDecoded() {
        Path still = TestMedia.generate(
                tools,
                "huge.mp4",
                "-f",
                "lavfi",
                "-i",
                "color=c=blue:s=16000x16000:r=25",
                "-frames:v",
                "2",
                "-c:v",
                "mjpeg");

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(still, "video/mp4"), "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("LIMIT_PIXELS");
        assertThat(video.getString("error.message"))
                .isEqualTo("The video has 256,000,000 pixels a frame (16000x16000); the most accepted is 200,000.");
    }

    @Test
    void aVideoWhosePicturesGrowPartWayThroughIsRefusedWhenTheyDo() throws IOException {
        // 75 pictures of 320x240, past what the probe decodes, then 640x480 ones: one MPEG-TS stream, as
        // a broadcast that changes resolution is.
        Path small = testPattern("small.ts", "320x240", "2.5");
        Path large = testPattern("large.ts", "640x480", "1");
        Path growing = small.resolveSibling("growing.ts");
        Files.write(growing, Files.readAllBytes(small));
        Files.write(growing, Files.readAllBytes(large), StandardOpenOption.APPEND);

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(growing, "video/mp2t"), "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("JOB_1010");
        assertThat(video.getString("error.message"))
                .isEqualTo("The video's pictures grow past the most accepted, 200,000 pixels a frame, part way"
                        + " through");
    }

    @Test
    void aVideoRightAtThePixelCeilingIsTranscoded() {
        // 500x400 is the ceiling's 200,000 pixels; decoders count its pictures as 512 wide.
        Path atCeiling = testPattern("at-ceiling.ts", "500x400", "1");

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(atCeiling, "video/mp2t"), "COMPLETE", TIMEOUT);

        assertThat(video.getList("playback.renditions")).isNotEmpty();
    }

    @Test
    void aNarrowVideoShownWideIsRefusedByItsShownWidth() {
        // 1920x36 stored, each pixel shown 5 times as wide as it is high: 9,600 pixels wide on screen,
        // and so would every rendition be.
        Path stretched = TestMedia.generate(
                tools,
                "stretched.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=1920x36:rate=10:duration=1",
                "-vf",
                "setsar=5/1",
                "-c:v",
                "libx264");

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(stretched, "video/mp4"), "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("LIMIT_WIDTH");
        assertThat(video.getString("error.message"))
                .isEqualTo("The video is shown 9600 pixels wide (1920 stored, stretched by its sample aspect ratio"
                        + " 5:1); the widest accepted is 7680.");
    }

    @Test
    void aVideoWhoseTimestampsClaimThousandsOfFramesASecondIsEncodedAtNoMoreThanTheCeilingsRate() {
        // 100 frames a second on average, but every other one a millisecond late, and the stream's
        // own timing rewritten: ffmpeg guesses 90,000 frames a second, and at a constant rate would
        // have encoded every frame about 900 times.
        Path jittered = TestMedia.generate(
                tools,
                "jittered.mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=160x120:rate=100:duration=2",
                "-vf",
                "setpts='(N/100+mod(N\\,2)/1000)/TB'",
                "-fps_mode",
                "passthrough",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-bsf:v",
                "h264_metadata=tick_rate=2000000:fixed_frame_rate_flag=0",
                "-video_track_timescale",
                "90000");
        JsonNode source =
                FfprobeJson.probe(tools, jittered.toString()).path("streams").get(0);
        assertThat(source.path("avg_frame_rate").asText()).isEqualTo("100/1");
        assertThat(source.path("r_frame_rate").asText()).isEqualTo("90000/1");

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(jittered, "video/mp4"), "COMPLETE", TIMEOUT);

        JsonNode rendition = FfprobeJson.probe(
                        tools,
                        base.resolve(video.getString("playback.masterPlaylist")).toString(),
                        "-count_frames",
                        "-select_streams",
                        "v:0")
                .path("streams")
                .get(0);
        assertThat(rendition.path("nb_read_frames").asInt())
                .as("2 s at the ceiling's 120 frames a second at most")
                .isBetween(200, 245);
    }

    private Path testPattern(String fileName, String size, String seconds) {
        return TestMedia.generate(
                tools,
                fileName,
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=" + size + ":rate=30:duration=" + seconds,
                "-c:v",
                "libx264",
                "-f",
                "mpegts");
    }

    @Test
    void aClipOfTwoHundredHoursIsRefusedByItsDuration() {
        JsonPath video =
                VideoApi.awaitStatus(VideoApi.upload(TestMedia.tinyButLong(tools), "video/mp4"), "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("LIMIT_DURATION");
        assertThat(video.getString("error.message"))
                .isEqualTo("The file lasts 225:00:00; the longest accepted is 0:00:04.");
        assertThat(video.getString("progress")).isNull();
    }

    @Test
    void aClipThatHidesItsLengthIsTranscodedNoFurtherThanTheLongestAccepted() {
        // A live recording's Matroska header states no length at all: the duration ceiling cannot see it.
        Path hidden = TestMedia.generate(
                tools,
                "twelve-seconds.mkv",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=160x120:rate=10:duration=12",
                "-c:v",
                "libx264",
                "-live",
                "1");
        assertThat(FfprobeJson.probe(tools, hidden.toString()).path("format").has("duration"))
                .isFalse();

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(hidden, "video/x-matroska"), "COMPLETE", TIMEOUT);

        JsonNode stream = FfprobeJson.probe(
                tools, base.resolve(video.getString("playback.masterPlaylist")).toString());
        assertThat(stream.path("format").path("duration").asDouble())
                .as("the stream stops at the 4 s ceiling, not after the file's 12 s")
                .isBetween(3.5, 4.5);
    }

    @Test
    void aFileStuffedWithMetadataIsRefusedWithoutReadingItsWholeDescription() {
        // 60 tags of 100 kB: ffprobe would describe the file in 6 MB of JSON.
        String tag = "x".repeat(100_000);
        StringBuilder metadata = new StringBuilder(";FFMETADATA1\n");
        for (int i = 0; i < 60; i++) {
            metadata.append("note").append(i).append('=').append(tag).append('\n');
        }
        Path tags = TestMedia.text("tags.txt", metadata.toString());
        Path stuffed = TestMedia.generate(
                tools,
                "stuffed.mkv",
                "-f",
                "lavfi",
                "-i",
                "color=c=blue:size=64x64:rate=5:duration=1",
                "-f",
                "ffmetadata",
                "-i",
                tags.toString(),
                "-map",
                "0:v",
                "-map_metadata",
                "1",
                "-c:v",
                "libx264");

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(stuffed, "video/x-matroska"), "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("LIMIT_METADATA");
        assertThat(video.getString("error.message"))
                .isEqualTo("The file's description (its streams and their metadata) is longer than the 4 MiB"
                        + " accepted");
    }

    @Test
    void aFileWithFortyStreamsIsRefusedByItsStreamCount() {
        List<String> arguments = new ArrayList<>(List.of("-f", "lavfi", "-i", "sine=duration=0.5"));
        for (int stream = 0; stream < 40; stream++) {
            arguments.addAll(List.of("-map", "0:a"));
        }
        arguments.addAll(List.of("-c:a", "aac"));
        Path streams = TestMedia.generate(tools, "forty-streams.mp4", arguments.toArray(String[]::new));

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(streams, "video/mp4"), "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("LIMIT_STREAMS");
        assertThat(video.getString("error.message")).isEqualTo("The file has 40 streams; the most accepted is 16.");
    }

    private void assertRefusedWithoutFetching(String manifest) throws IOException {
        Path file = TestMedia.text("holiday.mp4", manifest);

        JsonPath video = VideoApi.awaitStatus(VideoApi.upload(file, "video/mp4"), "ERROR", TIMEOUT);

        assertThat(video.getString("error.code")).isEqualTo("NOT_MEDIA");
        assertThat(requested).as("requests to the internal service").isEmpty();
    }

    /** The control: the same text, opened as what it is by ffprobe without vodflow's allow-lists. */
    private void assertFetchesWhenOpenedWithoutTheAllowLists(
            String manifest, String path, String contentType, String secret) throws Exception {
        served.put(path, new String[] {contentType, manifest});

        tools.ffprobe().execute(List.of("-v", "error", "-show_format", internalUrl() + path), TIMEOUT);

        assertThat(requested).contains(path, secret);
    }

    private String internalUrl() {
        return "http://127.0.0.1:" + internal.getAddress().getPort();
    }
}

package io.vodflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.VideoApi;
import io.vodflow.testing.VideoStates;
import io.vodflow.transcode.JobTemplate;
import io.vodflow.transcode.TranscodeRequest;
import io.vodflow.transcode.Transcoder;
import io.vodflow.video.Video;
import io.vodflow.video.VideoRepository;
import io.vodflow.video.VideoStatus;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Times the local engine against ffmpeg run by hand, on one generated 30 s 1080p source with audio
 * and the bundled 4-rung ladder plus thumbnails:
 *
 * <ul>
 *   <li>(a) the engine end to end: from submitting the job to the video being COMPLETE, source read
 *       from the input bucket, outputs uploaded, events consumed;
 *   <li>(b) the equivalent single ffmpeg command, written by hand, on local files;
 *   <li>(c) one ffmpeg process per rung (plus one for the thumbnails), each decoding the source.
 * </ul>
 *
 * Not a test (its name keeps it out of the default run): run {@code bench/engine.sh}. It prints
 * ratios from one run, since absolute times drift on shared machines.
 */
@QuarkusTest
@TestProfile(EngineBenchmark.Profile.class)
class EngineBenchmark {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The source goes up in one PUT; the engine uses its production settings.
            return Map.of("vodflow.upload.multipart-threshold", "1G", "vodflow.local.status-update-interval", "10s");
        }
    }

    private static final String PRESET = "veryfast";

    @Inject
    FfmpegTools ffmpeg;

    @Inject
    VideoRepository videos;

    @Inject
    JobTemplate template;

    @Inject
    Transcoder transcoder;

    @Test
    void engineAgainstHandWrittenFfmpeg() throws Exception {
        Path source = TestMedia.camera1080p(ffmpeg, 30);

        // The engine needs a video that is waiting for its job, probed as ingest would.
        String id = VideoApi.upload(source, "video/mp4");
        Video uploaded = awaitProbed(id);
        assertThat(uploaded.media().height()).isEqualTo(1080);

        double single = time(() -> run(singleCommand(source)));
        double engine = time(() -> runEngine(uploaded));
        double perRung = time(() -> {
            for (List<String> command : perRungCommands(source)) {
                run(command);
            }
        });

        String report = String.format(
                Locale.ROOT,
                "engine (a): %.1f s%nsingle ffmpeg command (b): %.1f s%none process per rung (c): %.1f s%n"
                        + "(a)/(b) = %.2f%n(c)/(a) = %.2f%n",
                engine,
                single,
                perRung,
                engine / single,
                perRung / engine);
        System.out.println("\n=== Engine benchmark ===\n" + report);
        Files.writeString(Path.of("target", "engine-benchmark.txt"), report);
    }

    /** Submits the job directly and waits for the status consumer to record COMPLETE. */
    private void runEngine(Video video) {
        TranscodeRequest request = new TranscodeRequest(
                video.id(),
                video.attempt(),
                video.owner(),
                video.trace(),
                template.fitted(video.id(), video.media(), video.limits()));
        transcoder.submit(request).await().atMost(Duration.ofSeconds(30));
        await().atMost(Duration.ofMinutes(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    VideoStatus status = videos.find(video.id())
                            .await()
                            .atMost(Duration.ofSeconds(10))
                            .status();
                    assertThat(status).isNotEqualTo(VideoStatus.ERROR);
                    return status == VideoStatus.COMPLETE;
                });
    }

    /**
     * The upload once the pipeline transcoded it (so it is probed), turned into a new attempt that
     * waits for its job: the engine then takes the job the benchmark submits.
     */
    private Video awaitProbed(String id) {
        await().atMost(Duration.ofMinutes(30))
                .until(() ->
                        videos.find(id).await().atMost(Duration.ofSeconds(10)).status() == VideoStatus.COMPLETE);
        return videos.update(
                        id,
                        current -> VideoStates.of(current, VideoStatus.SUBMITTED, current.attempt() + 1, null, null))
                .await()
                .atMost(Duration.ofSeconds(10));
    }

    /** The bundled ladder as one hand-written command: decode once, split, encode four rungs and thumbnails. */
    private static List<String> singleCommand(Path source) throws IOException {
        Path out = Files.createTempDirectory("bench-single-");
        List<String> command = new ArrayList<>(
                List.of("-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", source.toString()));
        command.addAll(List.of(
                "-filter_complex",
                "[0:v]bwdif=mode=send_frame:deint=interlaced,format=yuv420p,split=5[a][b][c][d][t];"
                        + "[a]scale=1920:1080,setsar=1[v0];[b]scale=1280:720,setsar=1[v1];"
                        + "[c]scale=854:480,setsar=1[v2];[d]scale=640:360,setsar=1[v3];"
                        + "[t]select='isnan(prev_selected_t)+gte(t-prev_selected_t,5)',scale=640:360,setsar=1[th]"));
        String[][] rungs = {{"21", "6000000"}, {"21", "3500000"}, {"23", "1500000"}, {"23", "800000"}};
        for (int i = 0; i < rungs.length; i++) {
            command.addAll(List.of("-map", "[v" + i + "]", "-map", "0:a:0"));
            command.addAll(rung(":v:" + i, rungs[i][0], rungs[i][1]));
            command.addAll(
                    List.of("-c:a:" + i, "aac", "-b:a:" + i, "128000", "-ar:a:" + i, "48000", "-ac:a:" + i, "2"));
        }
        command.addAll(List.of(
                "-f",
                "hls",
                "-hls_time",
                "1",
                "-hls_playlist_type",
                "event",
                "-hls_flags",
                "independent_segments",
                "-master_pl_name",
                "master.m3u8",
                "-var_stream_map",
                "v:0,a:0,name:_1080p v:1,a:1,name:_720p v:2,a:2,name:_480p v:3,a:3,name:_360p",
                "-hls_segment_filename",
                out.resolve("master%v_%05d.ts").toString(),
                out.resolve("master%v.m3u8").toString(),
                "-map",
                "[th]",
                "-fps_mode",
                "vfr",
                "-c:v",
                "mjpeg",
                "-q:v",
                "8",
                "-frames:v",
                "10",
                "-start_number",
                "0",
                "-f",
                "image2",
                out.resolve("thumb.%07d.jpg").toString()));
        return command;
    }

    /** The same ladder with one process per rung, and one for the thumbnails: each decodes the source. */
    private static List<List<String>> perRungCommands(Path source) throws IOException {
        String[][] rungs = {
            {"1920:1080", "21", "6000000"},
            {"1280:720", "21", "3500000"},
            {"854:480", "23", "1500000"},
            {"640:360", "23", "800000"}
        };
        List<List<String>> commands = new ArrayList<>();
        for (String[] rung : rungs) {
            Path out = Files.createTempDirectory("bench-rung-");
            List<String> command = new ArrayList<>(
                    List.of("-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", source.toString()));
            command.addAll(List.of(
                    "-vf",
                    "bwdif=mode=send_frame:deint=interlaced,format=yuv420p,scale=" + rung[0] + ",setsar=1",
                    "-map",
                    "0:v:0",
                    "-map",
                    "0:a:0"));
            command.addAll(rung(":v:0", rung[1], rung[2]));
            command.addAll(List.of("-c:a", "aac", "-b:a", "128000", "-ar", "48000", "-ac", "2"));
            command.addAll(List.of(
                    "-f",
                    "hls",
                    "-hls_time",
                    "1",
                    "-hls_playlist_type",
                    "event",
                    "-hls_flags",
                    "independent_segments",
                    "-hls_segment_filename",
                    out.resolve("rung_%05d.ts").toString(),
                    out.resolve("rung.m3u8").toString()));
            commands.add(command);
        }
        Path thumbs = Files.createTempDirectory("bench-thumbs-");
        commands.add(List.of(
                "-hide_banner",
                "-nostdin",
                "-y",
                "-loglevel",
                "error",
                "-i",
                source.toString(),
                "-vf",
                "select='isnan(prev_selected_t)+gte(t-prev_selected_t,5)',scale=640:360,setsar=1",
                "-fps_mode",
                "vfr",
                "-c:v",
                "mjpeg",
                "-q:v",
                "8",
                "-frames:v",
                "10",
                "-start_number",
                "0",
                thumbs.resolve("thumb.%07d.jpg").toString()));
        return commands;
    }

    private static List<String> rung(String stream, String crf, String maxrate) {
        return List.of(
                "-c" + stream,
                "libx264",
                "-preset" + stream,
                PRESET,
                "-profile" + stream,
                "high",
                "-pix_fmt" + stream,
                "yuv420p",
                "-sc_threshold" + stream,
                "0",
                "-crf" + stream,
                crf,
                "-maxrate" + stream,
                maxrate,
                "-bufsize" + stream,
                Long.toString(2 * Long.parseLong(maxrate)),
                // As the engine: a one-second first segment, then six-second ones (see FfmpegCommand).
                "-force_key_frames" + stream,
                "expr:if(eq(n_forced,0),1,gte(t,1+(n_forced-1)*6))",
                "-g" + stream,
                "100000");
    }

    private void run(List<String> arguments) {
        try {
            Process process = ffmpeg.ffmpeg()
                    .processBuilder(arguments)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double time(Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }
}

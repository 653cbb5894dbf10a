package io.vodflow.transcode.local;

import io.vodflow.config.VodflowConfig;
import io.vodflow.media.FfmpegTools;
import io.vodflow.media.SourceProbe;
import io.vodflow.transcode.S3Uri;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Runs one job of the local engine from start to end, on the calling (worker) thread: checks the
 * settings, probes the source, runs ffmpeg once while uploading finished segments, then reports
 * COMPLETE, ERROR or CANCELED as MediaConvert would. The working directory is removed whatever
 * happens.
 */
@ApplicationScoped
class LocalJobRunner {

    private static final Logger LOG = Logger.getLogger(LocalJobRunner.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration INPUT_URL_LIFETIME = Duration.ofHours(12);
    private static final long UPLOAD_EVERY_MS = 1000;
    private static final Pattern JPEG = Pattern.compile(".+\\.\\d{7}\\.jpg");
    private static final Pattern URL = Pattern.compile("https?://\\S+");

    // MediaConvert-style error codes.
    static final int UNREADABLE_INPUT = 1010;
    static final int UNSUPPORTED_SETTINGS = 1030;
    static final int TRANSCODING_FAILED = 1040;
    static final int GAVE_UP = 1999;

    private final FfmpegTools tools;
    private final SourceProbe probe;
    private final S3AsyncClient s3;
    private final S3Presigner presigner;
    private final JobEvents events;
    private final VodflowConfig.Local config;

    LocalJobRunner(
            FfmpegTools tools,
            SourceProbe probe,
            S3AsyncClient s3,
            S3Presigner presigner,
            JobEvents events,
            VodflowConfig config) {
        this.tools = tools;
        this.probe = probe;
        this.s3 = s3;
        this.presigner = presigner;
        this.events = events;
        this.config = config.local();
    }

    enum Outcome {
        /** The job ended, one way or another, and its events are sent. */
        ENDED,
        /** A passing fault, or this worker stopping: another run should take the job up. */
        RETRY
    }

    Outcome run(LocalJob job, int retryCount, JobHandle handle) {
        JobPlan plan;
        try {
            plan = JobPlan.of(job.settings());
        } catch (JobPlan.UnsupportedSettingsException | IllegalArgumentException e) {
            events.error(job, UNSUPPORTED_SETTINGS, e.getMessage());
            return Outcome.ENDED;
        }
        events.progressing(job);
        events.statusUpdate(job, "PROBING", 0, 0, 0, retryCount);
        Path directory = createWorkDirectory();
        OutputUploader uploader = new OutputUploader(s3, directory, plan);
        try {
            String input = inputUrl(plan.input());
            // Ingest proved that the source decodes; here only its streams and duration matter.
            SourceProbe.Result result = probe.probe(input, PROBE_TIMEOUT, false);
            if (result instanceof SourceProbe.Unusable unusable) {
                events.error(job, UNREADABLE_INPUT, unusable.reason());
                return Outcome.ENDED;
            }
            SourceProbe.Probed source = (SourceProbe.Probed) result;
            boolean needsVideo = plan.hls().renditions().stream().allMatch(r -> r.video() != null && r.audio() == null);
            if (!source.media().hasVideo() && needsVideo) {
                events.error(job, UNREADABLE_INPUT, "The source has no video stream");
                return Outcome.ENDED;
            }
            events.statusUpdate(job, "TRANSCODING", 2, 0, 0, retryCount);
            List<String> arguments = FfmpegCommand.build(
                    plan,
                    new FfmpegCommand.Source(
                            input, source.media().hasVideo(), source.media().hasAudio(), source.hdr()),
                    directory,
                    config.preset());
            String failure = transcode(job, arguments, source.media().durationMs(), uploader, handle, retryCount);
            Outcome stopped = stoppedBy(handle, job, uploader);
            if (stopped != null) {
                return stopped;
            }
            if (failure == null && plan.hls().renditions().stream().anyMatch(r -> !hasSegment(directory, plan, r))) {
                failure = "No frame of the source could be decoded";
            }
            if (failure == null) {
                HlsPlaylists.mend(directory, plan);
                failure = HlsPlaylists.problem(directory, plan);
            }
            if (failure != null) {
                uploader.deleteUploaded();
                events.error(job, TRANSCODING_FAILED, failure);
                return Outcome.ENDED;
            }
            events.statusUpdate(job, "UPLOADING", 97, 0, 0, retryCount);
            uploader.uploadRest();
            if (!handle.finish()) {
                return stoppedBy(handle, job, uploader);
            }
            events.complete(job, details(plan, directory, source));
            return Outcome.ENDED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.RETRY;
        } catch (IOException | RuntimeException e) {
            LOG.warnf(e, "Job %s of video %s failed; it will be taken up again", job.jobId(), job.videoId());
            // Once COMPLETE is on its way, the outputs may be in use: only an unfinished run cleans up.
            if (!handle.isFinished()) {
                try {
                    uploader.deleteUploaded();
                } catch (RuntimeException cleanup) {
                    LOG.debugf("Could not remove partial outputs of %s: %s", job.jobId(), cleanup.getMessage());
                }
            }
            return Outcome.RETRY;
        } finally {
            deleteRecursively(directory);
        }
    }

    /** How the job ends when someone stopped it, or null when nobody did. */
    private Outcome stoppedBy(JobHandle handle, LocalJob job, OutputUploader uploader) {
        if (handle.isCanceled()) {
            uploader.deleteUploaded();
            events.canceled(job);
            return Outcome.ENDED;
        }
        if (handle.isAbandoned()) {
            // Another run of this attempt ended it, writing the same keys: its outputs stay.
            return Outcome.ENDED;
        }
        return handle.isStopping() ? Outcome.RETRY : null;
    }

    /**
     * Runs ffmpeg, reporting progress at the configured interval and uploading finished segments.
     *
     * @return why it failed, or null
     */
    private String transcode(
            LocalJob job,
            List<String> arguments,
            long durationMs,
            OutputUploader uploader,
            JobHandle handle,
            int retryCount)
            throws IOException, InterruptedException {
        Process process = tools.ffmpeg().processBuilder(arguments).start();
        handle.attach(process);
        process.getOutputStream().close();
        Deque<String> errors = new ArrayDeque<>();
        Thread errorReader = new Thread(() -> keepLastLines(process, errors), "ffmpeg-stderr-" + job.jobId());
        errorReader.setDaemon(true);
        errorReader.start();

        long intervalMs = config.statusUpdateInterval().toMillis();
        long lastUpdate = System.currentTimeMillis();
        long lastUpload = lastUpdate;
        long frames = 0;
        long outTime = 0;
        int percent = 0;
        try (BufferedReader progress =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = progress.readLine()) != null) {
                // ffmpeg reports every half second even when stuck: only getting further counts.
                if (line.startsWith("frame=")) {
                    long frame = parseLong(line.substring(6));
                    if (frame > frames) {
                        frames = frame;
                        handle.progressed();
                    }
                } else if (line.startsWith("out_time_us=")) {
                    long time = parseLong(line.substring(12));
                    if (time > outTime) {
                        outTime = time;
                        handle.progressed();
                    }
                    percent = durationMs > 0 ? (int) Math.min(100, outTime / 10 / durationMs) : percent;
                } else if (line.startsWith("progress=")) {
                    long now = System.currentTimeMillis();
                    if (now - lastUpload >= UPLOAD_EVERY_MS) {
                        uploader.uploadFinishedSegments();
                        lastUpload = now;
                    }
                    if (now - lastUpdate >= intervalMs && !line.endsWith("end")) {
                        events.statusUpdate(job, "TRANSCODING", 2 + percent * 93 / 100, percent, frames, retryCount);
                        lastUpdate = now;
                    }
                }
            }
        } finally {
            // Whatever broke off the loop, ffmpeg must not go on encoding for nobody.
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        int exit = process.waitFor();
        errorReader.join(5000);
        if (handle.isStalled()) {
            return "The transcoder made no progress for "
                    + config.stallTimeout().toMinutes() + " minutes";
        }
        if (exit == 0) {
            return null;
        }
        String reason = describe(errors);
        if (SourceProbe.isUnreachable(reason)) {
            throw new IOException("Reading the source failed: " + reason);
        }
        return "ffmpeg could not transcode the source: " + reason;
    }

    private static void keepLastLines(Process process, Deque<String> lines) {
        try (BufferedReader errors =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = errors.readLine()) != null) {
                synchronized (lines) {
                    lines.addLast(line);
                    if (lines.size() > 20) {
                        lines.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    private static String describe(Deque<String> errors) {
        synchronized (errors) {
            // The last lines say why ffmpeg stopped; drop the noise of per-frame decoder complaints.
            List<String> meaningful =
                    errors.stream().filter(line -> !line.startsWith("[")).toList();
            List<String> chosen = meaningful.isEmpty() ? List.copyOf(errors) : meaningful;
            String reason = chosen.isEmpty()
                    ? "it stopped without saying why"
                    : String.join("; ", chosen.subList(Math.max(0, chosen.size() - 3), chosen.size()));
            // Error messages reach users: never with the presigned URL ffmpeg names its input by.
            return URL.matcher(reason).replaceAll("the source");
        }
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** ffmpeg reads the source over a presigned URL: no credentials, no download before encoding. */
    private String inputUrl(String input) {
        S3Uri location = S3Uri.parse(input);
        return presigner
                .presignGetObject(presign -> presign.signatureDuration(INPUT_URL_LIFETIME)
                        .getObjectRequest(get -> get.bucket(location.bucket()).key(location.key())))
                .url()
                .toString();
    }

    private static boolean hasSegment(Path directory, JobPlan plan, JobPlan.Rendition rendition) {
        String prefix = plan.hls().destination().baseName()
                + FfmpegCommand.variantName(rendition, plan.hls().renditions().indexOf(rendition)) + "_";
        return listing(directory)
                .anyMatch(file -> file.getFileName().toString().startsWith(prefix)
                        && file.getFileName().toString().endsWith(".ts"));
    }

    /** The COMPLETE event's outputGroupDetails, as MediaConvert reports them. */
    private static List<JobEvents.GroupDetail> details(JobPlan plan, Path directory, SourceProbe.Probed source) {
        List<JobEvents.GroupDetail> groups = new ArrayList<>();
        S3Uri hls = plan.hls().destination();
        List<JobEvents.OutputDetail> renditions = new ArrayList<>();
        List<JobPlan.Rendition> planned = plan.hls().renditions();
        for (int i = 0; i < planned.size(); i++) {
            JobPlan.Rendition rendition = planned.get(i);
            String playlist = hls.baseName() + FfmpegCommand.variantName(rendition, i) + ".m3u8";
            renditions.add(new JobEvents.OutputDetail(
                    hls.uri(playlist),
                    playlistDurationMs(directory.resolve(playlist)),
                    rendition.video() == null ? null : rendition.video().width(),
                    rendition.video() == null ? null : rendition.video().height()));
        }
        groups.add(new JobEvents.GroupDetail("HLS_GROUP", List.of(hls.uri(hls.baseName() + ".m3u8")), renditions));
        JobPlan.FrameCapture capture = plan.frameCapture();
        if (capture != null && source.media().hasVideo()) {
            listing(directory)
                    .map(file -> file.getFileName().toString())
                    .filter(name -> JPEG.matcher(name).matches())
                    .max(Comparator.naturalOrder())
                    .ifPresent(last -> groups.add(new JobEvents.GroupDetail(
                            "FILE_GROUP",
                            null,
                            List.of(new JobEvents.OutputDetail(
                                    capture.destination().uri(last),
                                    source.media().durationMs(),
                                    capture.width(),
                                    capture.height())))));
        }
        return groups;
    }

    /** The sum of a media playlist's segment durations. */
    private static long playlistDurationMs(Path playlist) {
        try (Stream<String> lines = Files.lines(playlist)) {
            return Math.round(lines.filter(line -> line.startsWith("#EXTINF:"))
                            .mapToDouble(line -> Double.parseDouble(
                                    line.substring(8, line.indexOf(',') < 0 ? line.length() : line.indexOf(','))))
                            .sum()
                    * 1000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path createWorkDirectory() {
        try {
            Path parent = Leftovers.ownDirectory(workDir());
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, "vodflow-job-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a working directory for a job", e);
        }
    }

    Path workDir() {
        return config.workDir().orElse(Path.of(System.getProperty("java.io.tmpdir")));
    }

    private static Stream<Path> listing(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warnf("Could not remove the working directory %s: %s", directory, e.getMessage());
        }
    }
}

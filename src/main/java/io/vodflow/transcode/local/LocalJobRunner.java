package io.vodflow.transcode.local;

import io.vodflow.config.VodflowConfig;
import io.vodflow.media.FfmpegTools;
import io.vodflow.media.MediaInfo;
import io.vodflow.media.SourceProbe;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import io.vodflow.transcode.JobPhase;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Runs one job of the local engine from start to end, on the calling (worker) thread: checks the
 * settings, probes the source, publishes the first segments from a short run of their own (or, taking
 * the job up after another run stopped, plays on from what that run published), runs
 * ffmpeg once over the whole source while uploading finished segments, then reports COMPLETE, ERROR
 * or CANCELED as MediaConvert would. The working directory is removed whatever
 * happens.
 */
@ApplicationScoped
class LocalJobRunner {

    private static final Logger LOG = Logger.getLogger(LocalJobRunner.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(2);
    private static final long UPLOAD_EVERY_MS = 250;
    private static final Pattern JPEG = Pattern.compile(".+\\.\\d{7}\\.jpg");

    // MediaConvert-style error codes.
    static final int UNREADABLE_INPUT = 1010;
    static final int UNSUPPORTED_SETTINGS = 1030;
    static final int TRANSCODING_FAILED = 1040;
    static final int GAVE_UP = 1999;

    private final FfmpegTools tools;
    private final SourceProbe probe;
    private final S3AsyncClient s3;
    private final ObjectStore store;
    private final JobEvents events;
    private final SourceLinks sources;
    private final VodflowConfig.Local config;
    private final long maxPixels;
    private final double maxFrameRate;

    LocalJobRunner(
            FfmpegTools tools,
            SourceProbe probe,
            S3AsyncClient s3,
            ObjectStore store,
            JobEvents events,
            SourceLinks sources,
            VodflowConfig config) {
        this.tools = tools;
        this.probe = probe;
        this.s3 = s3;
        this.store = store;
        this.events = events;
        this.sources = sources;
        this.config = config.local();
        this.maxPixels = config.ceilings().maxPixels();
        this.maxFrameRate = config.ceilings().maxFrameRate();
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
        events.statusUpdate(job, JobPhase.PROBING, 0, 0, 0, retryCount);
        try (WorkDirectory directory = WorkDirectory.create(workDir())) {
            return run(
                    new Run(job, plan, directory, new OutputUploader(s3, store, directory, plan), handle, retryCount));
        }
    }

    /** One run of a job: what it works on, and who may stop it. */
    private record Run(
            LocalJob job,
            JobPlan plan,
            WorkDirectory directory,
            OutputUploader uploader,
            JobHandle handle,
            int retryCount) {}

    private Outcome run(Run run) {
        LocalJob job = run.job();
        // ffmpeg reads the source over HTTP, redirected to presigned URLs: no credentials, no download
        // before encoding.
        try (SourceLinks.Link link = sources.open(S3Uri.parse(run.plan().input()))) {
            String input = link.url();
            // Ingest proved that the source decodes; here only its streams and duration matter.
            SourceProbe.Result result = probe.probe(input, PROBE_TIMEOUT, false);
            String unusable = unusable(result, run.plan());
            if (unusable != null) {
                events.error(job, UNREADABLE_INPUT, unusable);
                return Outcome.ENDED;
            }
            SourceProbe.Probed source = (SourceProbe.Probed) result;
            events.statusUpdate(job, JobPhase.TRANSCODING, 2, 0, 0, run.retryCount());
            startStream(run, input, source);
            Failure failure = encode(run, input, source);
            Outcome stopped = stoppedBy(run);
            if (stopped != null) {
                return stopped;
            }
            if (failure == null) {
                String unplayable = checkOutputs(run);
                failure = unplayable == null ? null : new Failure(TRANSCODING_FAILED, unplayable);
            }
            if (failure != null) {
                run.uploader().deleteUploaded();
                events.error(job, failure.code(), failure.reason());
                return Outcome.ENDED;
            }
            return publish(run, source);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.RETRY;
        } catch (IOException | RuntimeException e) {
            // Stopping ffmpeg closes its output under the reader: a canceled or stopping job is no failure.
            Outcome stopped = stoppedBy(run);
            if (stopped != null) {
                return stopped;
            }
            LOG.warnf(e, "Job %s of video %s failed; it will be taken up again", job.jobId(), job.videoId());
            // Once COMPLETE is on its way, the outputs may be in use: only an unfinished run cleans up.
            if (!run.handle().isFinished()) {
                run.uploader().deleteUploaded();
            }
            return Outcome.RETRY;
        }
    }

    /** Why the probed source cannot make this job's outputs, or null when it can. */
    private static String unusable(SourceProbe.Result result, JobPlan plan) {
        if (result instanceof SourceProbe.Unusable unusable) {
            return unusable.reason();
        }
        boolean needsVideo = plan.hls().renditions().stream().allMatch(r -> r.video() != null && r.audio() == null);
        boolean hasVideo = ((SourceProbe.Probed) result).media().hasVideo();
        return needsVideo && !hasVideo ? "The source has no video stream" : null;
    }

    /** Why the finished outputs cannot be played, or null when they can; mends what ffmpeg left short. */
    private static String checkOutputs(Run run) throws IOException {
        JobPlan plan = run.plan();
        OutputUploader uploader = run.uploader();
        // Every segment counted, stored or on its way: the stored ones are no longer on disk.
        uploader.uploadFinishedSegments();
        if (plan.hls().renditions().stream().anyMatch(r -> !uploader.hasSegment(segmentPrefix(plan, r)))) {
            return "No frame of the source could be decoded";
        }
        HlsPlaylists.mend(run.directory().path(), plan, uploader::segmentSize);
        return HlsPlaylists.problem(run.directory().path(), plan, uploader::segmentSize);
    }

    /** Uploads what is left and reports COMPLETE, unless someone stopped the job first. */
    private Outcome publish(Run run, SourceProbe.Probed source) {
        events.statusUpdate(run.job(), JobPhase.UPLOADING, 97, 0, 0, run.retryCount());
        Optional<String> playable = run.uploader().uploadRest();
        if (!run.handle().finish()) {
            return stoppedBy(run);
        }
        // A preview's COMPLETE is not its video's: a run too short to be published while it grew says
        // here that its stream plays, or a preview would never be shown.
        playable.ifPresent(master -> events.playable(run.job(), master));
        events.complete(run.job(), details(run.plan(), run.directory(), source));
        return Outcome.ENDED;
    }

    /** How the job ends when someone stopped it, or null when nobody did. */
    private Outcome stoppedBy(Run run) {
        JobHandle handle = run.handle();
        if (handle.isCanceled()) {
            run.uploader().deleteUploaded();
            events.canceled(run.job());
            return Outcome.ENDED;
        }
        if (handle.isAbandoned()) {
            // Another run of this attempt ended it, writing the same keys: its outputs stay.
            return Outcome.ENDED;
        }
        return handle.isStopping() || handle.isLapsing() ? Outcome.RETRY : null;
    }

    /**
     * Makes the stream playable at once: the first segment of every rendition in a short ffmpeg run
     * of its own (see {@link FfmpegCommand#firstSegments}), published before the whole run starts. Only
     * for sources longer than two segments, where the whole run would make the stream wait; should this
     * run fail, the whole run publishes the stream as it grows, as it does for shorter sources. A
     * stream an earlier run of the job published plays on from what it published instead.
     */
    private void startStream(Run run, String input, SourceProbe.Probed source)
            throws IOException, InterruptedException {
        if (run.uploader().resume()) {
            return;
        }
        MediaInfo media = source.media();
        double twoSegmentsMs =
                (FfmpegCommand.FIRST_SEGMENT_SECONDS + run.plan().hls().segmentSeconds()) * 1000;
        if (!FfmpegCommand.startsShort(run.plan(), media.hasVideo()) || media.durationMs() <= twoSegmentsMs) {
            return;
        }
        Path first = Files.createDirectory(run.directory().resolve("first"));
        List<String> arguments = FfmpegCommand.firstSegments(
                run.plan(), source(input, source), first, FfmpegCommand.firstSegmentsPreset(config.preset()));
        FfmpegProcess.Exit exit = FfmpegProcess.run(
                tools.ffmpeg().processBuilder(arguments),
                run.handle(),
                run.job().jobId(),
                progress -> {});
        if (exit.code() != 0) {
            LOG.infof(
                    "Job %s: the first segments' own run failed (%s); the stream plays as it grows",
                    run.job().jobId(), exit.reason());
            return;
        }
        run.uploader().publishFirst(first).ifPresent(master -> events.playable(run.job(), master));
    }

    private FfmpegCommand.Source source(String input, SourceProbe.Probed probed) {
        return FfmpegCommand.Source.of(input, store.overTls(), probed, probe.decodingBound(probed), maxFrameRate);
    }

    /** "5 minutes", or "90 seconds" for a time that is not whole minutes. */
    private static String spoken(Duration duration) {
        return duration.toSecondsPart() == 0 && duration.toMinutes() > 0
                ? duration.toMinutes() + " minutes"
                : duration.toSeconds() + " seconds";
    }

    /** Why a run failed: the job's error code and message. */
    private record Failure(int code, String reason) {}

    /**
     * Runs ffmpeg, uploading finished segments and reporting progress as it goes.
     *
     * @return why it failed, or null
     */
    private Failure encode(Run run, String input, SourceProbe.Probed source) throws IOException, InterruptedException {
        MediaInfo media = source.media();
        List<String> arguments = FfmpegCommand.build(
                run.plan(), source(input, source), run.directory().path(), config.preset());
        FfmpegProcess.Exit exit = FfmpegProcess.run(
                tools.ffmpeg().processBuilder(arguments),
                run.handle(),
                run.job().jobId(),
                new Pacer(run, media.durationMs())::onProgress);
        if (exit.pastPixelCeiling()) {
            return new Failure(
                    UNREADABLE_INPUT,
                    String.format(
                            Locale.ROOT,
                            "The video's pictures grow past the most accepted, %,d pixels a frame, part way through",
                            maxPixels));
        }
        if (run.handle().isStalled()) {
            return new Failure(
                    TRANSCODING_FAILED, "The transcoder made no progress for " + spoken(config.stallTimeout()));
        }
        if (exit.code() == 0) {
            return null;
        }
        if (SourceProbe.isUnreachable(exit.reason())) {
            throw new IOException("Reading the source failed: " + exit.reason());
        }
        return new Failure(TRANSCODING_FAILED, "ffmpeg could not transcode the source: " + exit.reason());
    }

    /**
     * Paces ffmpeg's progress: segment uploads and the growing playlists every quarter of a second,
     * status updates at the interval.
     */
    private final class Pacer {
        private final Run run;
        private final long durationMs;
        private long lastUpload = System.currentTimeMillis();
        private long lastUpdate = lastUpload;

        Pacer(Run run, long durationMs) {
            this.run = run;
            this.durationMs = durationMs;
        }

        void onProgress(FfmpegProcess.Progress progress) {
            long now = System.currentTimeMillis();
            if (now - lastUpload >= UPLOAD_EVERY_MS) {
                run.uploader().uploadFinishedSegments();
                run.uploader().publishGrowing().ifPresent(master -> events.playable(run.job(), master));
                lastUpload = now;
            }
            if (now - lastUpdate >= config.statusUpdateInterval().toMillis() && !progress.end()) {
                int percent = durationMs > 0 ? (int) Math.min(100, progress.outTimeUs() / 10 / durationMs) : 0;
                events.statusUpdate(
                        run.job(),
                        JobPhase.TRANSCODING,
                        2 + percent * 93 / 100,
                        percent,
                        progress.frames(),
                        run.retryCount());
                lastUpdate = now;
            }
        }
    }

    /** What the names of a rendition's segments start with. */
    private static String segmentPrefix(JobPlan plan, JobPlan.Rendition rendition) {
        return plan.hls().destination().baseName()
                + FfmpegCommand.variantName(rendition, plan.hls().renditions().indexOf(rendition)) + "_";
    }

    /** The COMPLETE event's outputGroupDetails, as MediaConvert reports them. */
    private static List<JobEvents.ProducedGroup> details(
            JobPlan plan, WorkDirectory directory, SourceProbe.Probed source) {
        List<JobEvents.ProducedGroup> groups = new ArrayList<>();
        S3Uri hls = plan.hls().destination();
        List<JobEvents.ProducedFile> renditions = new ArrayList<>();
        List<JobPlan.Rendition> planned = plan.hls().renditions();
        for (int i = 0; i < planned.size(); i++) {
            JobPlan.Rendition rendition = planned.get(i);
            String playlist = hls.baseName() + FfmpegCommand.variantName(rendition, i) + ".m3u8";
            renditions.add(new JobEvents.ProducedFile(
                    hls.uri(playlist),
                    playlistDurationMs(directory.resolve(playlist)),
                    rendition.video() == null ? null : rendition.video().width(),
                    rendition.video() == null ? null : rendition.video().height()));
        }
        groups.add(new JobEvents.ProducedGroup("HLS_GROUP", List.of(hls.uri(hls.baseName() + ".m3u8")), renditions));
        JobPlan.FrameCapture capture = plan.frameCapture();
        if (capture != null && source.media().hasVideo()) {
            directory
                    .files()
                    .map(file -> file.getFileName().toString())
                    .filter(name -> JPEG.matcher(name).matches())
                    .max(Comparator.naturalOrder())
                    .ifPresent(last -> groups.add(new JobEvents.ProducedGroup(
                            "FILE_GROUP",
                            null,
                            List.of(new JobEvents.ProducedFile(
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

    Path workDir() {
        return config.workDir().orElse(Path.of(System.getProperty("java.io.tmpdir")));
    }
}

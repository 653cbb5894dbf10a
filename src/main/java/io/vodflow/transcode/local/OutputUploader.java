package io.vodflow.transcode.local;

import io.vodflow.storage.ContentTypes;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Copies a job's outputs from its working directory to the output bucket: segments as soon as ffmpeg
 * finishes them (it writes to a temporary name and renames), playlists and images at the end. Keeps
 * track of what it uploaded, so that a canceled or failed job leaves nothing behind.
 */
final class OutputUploader {

    private static final Logger LOG = Logger.getLogger(OutputUploader.class);
    private static final Duration DELETE_DEADLINE = Duration.ofMinutes(1);

    private final S3AsyncClient s3;
    private final ObjectStore store;
    private final WorkDirectory directory;
    private final JobPlan plan;
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final List<CompletableFuture<?>> uploads = new ArrayList<>();
    private final List<S3Uri> uploaded = new ArrayList<>();

    OutputUploader(S3AsyncClient s3, ObjectStore store, WorkDirectory directory, JobPlan plan) {
        this.s3 = s3;
        this.store = store;
        this.directory = directory;
        this.plan = plan;
    }

    /** Starts uploading the segments ffmpeg has finished since the last call. */
    synchronized void uploadFinishedSegments() {
        files().filter(file -> file.getFileName().toString().endsWith(".ts")).forEach(this::upload);
        uploads.removeIf(upload -> upload.isDone() && !upload.isCompletedExceptionally());
    }

    /** Uploads everything not yet uploaded and waits for every upload, failing if one failed. */
    synchronized void uploadRest() {
        // Segments and images before playlists, so that a playlist never names a missing file.
        files().filter(file -> !file.toString().endsWith(".m3u8")).forEach(this::upload);
        awaitUploads();
        files().forEach(this::upload);
        awaitUploads();
    }

    /** Deletes every object this job uploaded; what cannot be deleted is logged. */
    synchronized void deleteUploaded() {
        awaitQuietly();
        Map<String, List<String>> byBucket = new HashMap<>();
        uploaded.forEach(location -> byBucket.computeIfAbsent(location.bucket(), bucket -> new ArrayList<>())
                .add(location.key()));
        byBucket.forEach((bucket, keys) -> {
            try {
                store.delete(bucket, keys).await().atMost(DELETE_DEADLINE);
            } catch (RuntimeException e) {
                LOG.warnf("Could not remove %d outputs from %s: %s", keys.size(), bucket, e.getMessage());
            }
        });
        uploaded.clear();
    }

    private void upload(Path file) {
        String name = file.getFileName().toString();
        if (!started.add(name)) {
            return;
        }
        S3Uri group = name.endsWith(".jpg") && plan.frameCapture() != null
                ? plan.frameCapture().destination()
                : plan.hls().destination();
        S3Uri target = new S3Uri(group.bucket(), group.sibling(name));
        uploaded.add(target);
        uploads.add(s3.putObject(
                put -> put.bucket(target.bucket())
                        .key(target.key())
                        .contentType(ContentTypes.ofOutput(name).orElse("application/octet-stream")),
                AsyncRequestBody.fromFile(file)));
    }

    /** The files ffmpeg finished: it writes each under a temporary name first. */
    private Stream<Path> files() {
        return directory.files().filter(file -> !file.getFileName().toString().endsWith(".tmp"));
    }

    private void awaitUploads() {
        CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).join();
        uploads.clear();
    }

    private void awaitQuietly() {
        try {
            awaitUploads();
        } catch (RuntimeException e) {
            uploads.clear();
        }
    }
}

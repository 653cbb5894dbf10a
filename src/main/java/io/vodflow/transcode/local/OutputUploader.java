package io.vodflow.transcode.local;

import io.vodflow.transcode.S3Uri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * Copies a job's outputs from its working directory to the output bucket: segments as soon as ffmpeg
 * finishes them (it writes to a temporary name and renames), playlists and images at the end. Keeps
 * track of what it uploaded, so that a canceled or failed job leaves nothing behind.
 */
final class OutputUploader {

    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "m3u8", "application/vnd.apple.mpegurl",
            "ts", "video/mp2t",
            "aac", "audio/aac",
            "jpg", "image/jpeg");

    private final S3AsyncClient s3;
    private final Path directory;
    private final JobPlan plan;
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final List<CompletableFuture<?>> uploads = new ArrayList<>();
    private final List<S3Uri> uploaded = new ArrayList<>();

    OutputUploader(S3AsyncClient s3, Path directory, JobPlan plan) {
        this.s3 = s3;
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

    /** Deletes every object this job uploaded. */
    synchronized void deleteUploaded() {
        awaitQuietly();
        Map<String, List<ObjectIdentifier>> byBucket = new HashMap<>();
        for (S3Uri location : uploaded) {
            byBucket.computeIfAbsent(location.bucket(), bucket -> new ArrayList<>())
                    .add(ObjectIdentifier.builder().key(location.key()).build());
        }
        byBucket.forEach((bucket, keys) -> {
            for (int from = 0; from < keys.size(); from += 1000) {
                List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + 1000));
                s3.deleteObjects(delete -> delete.bucket(bucket)
                                .delete(objects -> objects.quiet(true).objects(batch)))
                        .join();
            }
        });
        uploaded.clear();
    }

    private void upload(Path file) {
        String name = file.getFileName().toString();
        if (!started.add(name)) {
            return;
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        S3Uri group = "jpg".equals(extension) && plan.frameCapture() != null
                ? plan.frameCapture().destination()
                : plan.hls().destination();
        S3Uri target = new S3Uri(group.bucket(), group.sibling(name));
        uploaded.add(target);
        uploads.add(s3.putObject(
                put -> put.bucket(target.bucket())
                        .key(target.key())
                        .contentType(CONTENT_TYPES.getOrDefault(extension, "application/octet-stream")),
                AsyncRequestBody.fromFile(file)));
    }

    private Stream<Path> files() {
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.filter(file -> !file.getFileName().toString().endsWith(".tmp")).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

package io.vodflow.transcode.local;

import io.smallrye.mutiny.Uni;
import io.vodflow.storage.ContentTypes;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Copies a job's outputs from its working directory to the output bucket: segments as soon as ffmpeg
 * finishes them (it writes to a temporary name and renames), the growing playlists once every segment
 * they list is stored, and the final playlists and images at the end. A segment leaves the working
 * directory once it is stored, so that a job holds on disk only the segments on their way (a source of
 * hours makes tens of gigabytes of them); its size is kept for the checks at the end. Keeps track of
 * what it uploaded, so that a canceled or failed job leaves nothing behind.
 */
final class OutputUploader {

    private static final Logger LOG = Logger.getLogger(OutputUploader.class);
    private static final Duration DELETE_DEADLINE = Duration.ofMinutes(1);
    private static final Duration READ_DEADLINE = Duration.ofSeconds(30);
    /** Players read a growing playlist again at every segment: no copy may outlive a second. */
    private static final String GROWING = "max-age=1";
    /** A finished playlist changes only if the video is transcoded again. */
    private static final String FINISHED = "max-age=60";

    private static final Pattern TARGET = Pattern.compile("(?m)^#EXT-X-TARGETDURATION:(\\d+)$");

    private final S3AsyncClient s3;
    private final ObjectStore store;
    private final WorkDirectory directory;
    private final JobPlan plan;
    /** Each file started, with its upload. */
    private final Map<String, CompletableFuture<?>> started = new ConcurrentHashMap<>();
    /** The size of each segment started, which stays when the file goes. */
    private final Map<String, Long> segmentSizes = new HashMap<>();
    /** Segments started and still in the working directory. */
    private final Set<String> segmentsOnDisk = new LinkedHashSet<>();

    private final List<CompletableFuture<?>> uploads = new ArrayList<>();
    private final Set<S3Uri> uploaded = new LinkedHashSet<>();
    /** How many segments of each rendition playlist are published. */
    private final Map<String, Integer> published = new HashMap<>();

    private boolean masterPublished;

    OutputUploader(S3AsyncClient s3, ObjectStore store, WorkDirectory directory, JobPlan plan) {
        this.s3 = s3;
        this.store = store;
        this.directory = directory;
        this.plan = plan;
    }

    /**
     * Starts uploading the segments ffmpeg has finished since the last call, and removes from the
     * working directory those that are stored.
     */
    synchronized void uploadFinishedSegments() {
        files().filter(OutputUploader::isSegment).forEach(this::upload);
        uploads.removeIf(upload -> upload.isDone() && !upload.isCompletedExceptionally());
        segmentsOnDisk.removeIf(this::removeIfStored);
    }

    /**
     * The size of a finished segment, whether or not it is still on disk; 0 for one that ffmpeg did
     * not finish. Complete once {@link #uploadFinishedSegments()} ran after ffmpeg ended.
     */
    synchronized long segmentSize(String name) {
        return segmentSizes.getOrDefault(name, 0L);
    }

    /** Whether ffmpeg finished a segment whose name starts with {@code prefix}. */
    synchronized boolean hasSegment(String prefix) {
        return segmentSizes.keySet().stream().anyMatch(name -> name.startsWith(prefix));
    }

    /**
     * Publishes the stream while it grows: each rendition playlist that lists new segments, once every
     * segment it lists is stored (a player never finds a listed segment missing); then, once every
     * rendition has a segment, the master playlist.
     *
     * @return the master playlist's location when this call made the stream playable, else empty
     */
    synchronized Optional<String> publishGrowing() {
        List<CompletableFuture<?>> playlists = new ArrayList<>();
        for (String name : HlsPlaylists.playlists(plan)) {
            Path file = directory.resolve(name);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            String text = read(file);
            List<String> segments = HlsPlaylists.segments(text);
            if (segments.size() <= published.getOrDefault(name, 0) || !stored(segments)) {
                continue;
            }
            playlists.add(put(name, steadyTarget(text), GROWING));
            published.put(name, segments.size());
        }
        CompletableFuture.allOf(playlists.toArray(CompletableFuture[]::new)).join();
        String master = HlsPlaylists.masterName(plan);
        boolean everyRendition =
                published.size() == HlsPlaylists.playlists(plan).size();
        if (masterPublished || !everyRendition || !Files.isRegularFile(directory.resolve(master))) {
            return Optional.empty();
        }
        put(master, read(directory.resolve(master)), FINISHED).join();
        masterPublished = true;
        return Optional.of(plan.hls().destination().uri(master));
    }

    /**
     * Takes over what an earlier run of the job published (it stopped for a rollout, or its lease
     * lapsed): players follow those growing playlists, which may only grow (RFC 8216), so each is
     * published again only once this run's lists more segments; and they count as this job's
     * uploads, removed if it fails. Fails when storage cannot say, rather than start them over.
     *
     * @return whether an earlier run published anything, so that this run starts no stream of its own
     */
    synchronized boolean resume() {
        S3Uri destination = plan.hls().destination();
        List<String> names = new ArrayList<>(HlsPlaylists.playlists(plan));
        names.add(HlsPlaylists.masterName(plan));
        List<Uni<Optional<String>>> reads = names.stream()
                .map(name -> store.read(destination.bucket(), destination.sibling(name))
                        .map(Optional::of)
                        .onFailure(NoSuchKeyException.class)
                        .recoverWithItem(Optional.empty()))
                .toList();
        List<Optional<String>> stored =
                Uni.join().all(reads).andFailFast().await().atMost(READ_DEADLINE);
        for (int i = 0; i < names.size(); i++) {
            if (stored.get(i).isEmpty()) {
                continue;
            }
            String text = stored.get(i).get();
            String name = names.get(i);
            uploaded.add(new S3Uri(destination.bucket(), destination.sibling(name)));
            if (name.equals(HlsPlaylists.masterName(plan))) {
                masterPublished = true;
            } else {
                List<String> segments = HlsPlaylists.segments(text);
                published.put(name, segments.size());
                segments.forEach(
                        segment -> uploaded.add(new S3Uri(destination.bucket(), destination.sibling(segment))));
            }
        }
        return masterPublished || !published.isEmpty();
    }

    /**
     * Publishes the first segment of every rendition, made in {@code first} by a run of its own ahead
     * of the whole run (see {@link FfmpegCommand#firstSegments}): the segments, under the names the
     * whole run gives its first ones, which replace them once finished (same cut, same timestamps);
     * then each rendition playlist listing its segment, still growing; then the master playlist.
     *
     * @return the master playlist's location, or empty when that run left a rendition without its
     *     segment (the whole run then publishes the stream as it grows)
     */
    synchronized Optional<String> publishFirst(Path first) {
        Map<String, String> playlists = new HashMap<>();
        for (String name : HlsPlaylists.playlists(plan)) {
            Path file = first.resolve(name);
            String firstOnly = Files.isRegularFile(file) ? HlsPlaylists.firstSegmentOnly(read(file)) : "";
            List<String> segments = HlsPlaylists.segments(firstOnly);
            if (segments.isEmpty() || !Files.isRegularFile(first.resolve(segments.get(0)))) {
                return Optional.empty();
            }
            playlists.put(name, firstOnly);
        }
        String master = HlsPlaylists.masterName(plan);
        if (!Files.isRegularFile(first.resolve(master))) {
            return Optional.empty();
        }
        List<CompletableFuture<?>> segments = playlists.values().stream()
                .map(text -> HlsPlaylists.segments(text).get(0))
                .<CompletableFuture<?>>map(segment -> putFile(segment, first.resolve(segment)))
                .toList();
        CompletableFuture.allOf(segments.toArray(CompletableFuture[]::new)).join();
        List<CompletableFuture<?>> puts = new ArrayList<>();
        playlists.forEach((name, text) -> {
            puts.add(put(name, steadyTarget(text), GROWING));
            published.put(name, 1);
        });
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        put(master, read(first.resolve(master)), FINISHED).join();
        masterPublished = true;
        return Optional.of(plan.hls().destination().uri(master));
    }

    /**
     * Uploads everything not yet uploaded and waits for every upload, failing if one failed.
     *
     * @return the master playlist's location when this call made the stream playable (a run too short
     *     for it to be published while it grew), else empty
     */
    synchronized Optional<String> uploadRest() {
        // Segments and images before playlists, so that a playlist never names a missing file.
        files().filter(file -> !isPlaylist(file)).forEach(this::upload);
        awaitUploads();
        files().filter(OutputUploader::isPlaylist)
                .forEach(file -> uploads.add(put(file.getFileName().toString(), read(file), FINISHED)));
        awaitUploads();
        String master = HlsPlaylists.masterName(plan);
        if (masterPublished || !Files.isRegularFile(directory.resolve(master))) {
            return Optional.empty();
        }
        masterPublished = true;
        return Optional.of(plan.hls().destination().uri(master));
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

    /** Starts uploading a finished segment or image, once. */
    private void upload(Path file) {
        String name = file.getFileName().toString();
        if (started.containsKey(name)) {
            return;
        }
        if (isSegment(file)) {
            segmentSizes.put(name, size(file));
            segmentsOnDisk.add(name);
        }
        CompletableFuture<?> upload = putFile(name, file);
        started.put(name, upload);
        uploads.add(upload);
    }

    /**
     * Deletes a segment's file once its upload succeeded; whether it did. A failed upload, which the
     * SDK already retried, fails the run at once (it is taken up again), rather than after hours of
     * encoding with every later segment kept on disk.
     */
    private boolean removeIfStored(String segment) {
        CompletableFuture<?> upload = started.get(segment);
        if (!upload.isDone()) {
            return false;
        }
        upload.join();
        try {
            Files.deleteIfExists(directory.resolve(segment));
        } catch (IOException e) {
            LOG.warnf("Could not remove the stored segment %s: %s", segment, e.getMessage());
        }
        return true;
    }

    /** Uploads a segment or image under {@code name}. */
    private CompletableFuture<?> putFile(String name, Path file) {
        S3Uri group = name.endsWith(".jpg") && plan.frameCapture() != null
                ? plan.frameCapture().destination()
                : plan.hls().destination();
        S3Uri target = new S3Uri(group.bucket(), group.sibling(name));
        uploaded.add(target);
        return s3.putObject(
                put -> put.bucket(target.bucket())
                        .key(target.key())
                        .contentType(ContentTypes.ofOutput(name).orElse("application/octet-stream")),
                AsyncRequestBody.fromFile(file));
    }

    /** Uploads a playlist's text, as often as it changes; its Cache-Control reaches players. */
    private CompletableFuture<?> put(String name, String text, String cacheControl) {
        S3Uri target = new S3Uri(
                plan.hls().destination().bucket(), plan.hls().destination().sibling(name));
        uploaded.add(target);
        return s3.putObject(
                put -> put.bucket(target.bucket())
                        .key(target.key())
                        .contentType(ContentTypes.ofOutput(name).orElse("application/vnd.apple.mpegurl"))
                        .cacheControl(cacheControl),
                AsyncRequestBody.fromString(text));
    }

    /** Whether every one of these segments is stored. */
    private boolean stored(List<String> segments) {
        for (String segment : segments) {
            CompletableFuture<?> upload = started.get(segment);
            if (upload == null) {
                return false;
            }
            try {
                upload.join();
            } catch (RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * A growing playlist's target duration may not change (RFC 8216), but ffmpeg's grows from the
     * short first segment to the template's length: it is the template's from the start.
     */
    private String steadyTarget(String playlist) {
        int target = (int) Math.ceil(plan.hls().segmentSeconds());
        Matcher matcher = TARGET.matcher(playlist);
        if (!matcher.find() || Integer.parseInt(matcher.group(1)) >= target) {
            return playlist;
        }
        return matcher.replaceFirst("#EXT-X-TARGETDURATION:" + target);
    }

    private static boolean isSegment(Path file) {
        return file.getFileName().toString().endsWith(".ts");
    }

    private static boolean isPlaylist(Path file) {
        return file.getFileName().toString().endsWith(".m3u8");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files ffmpeg finished: it writes each under a temporary name first. */
    private Stream<Path> files() {
        return directory
                .files()
                .filter(file -> Files.isRegularFile(file)
                        && !file.getFileName().toString().endsWith(".tmp"));
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

package io.vodflow.transcode.local;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vodflow.transcode.JobTruth;
import io.vodflow.transcode.TranscodeRequest;
import io.vodflow.transcode.Transcoder;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The local ffmpeg engine as a {@link Transcoder}: a job is a message on the job queue, run by
 * whichever worker replica is free. The job id is derived from the video and its attempt, so that
 * submitting again names the same job, as MediaConvert's ClientRequestToken does.
 */
@ApplicationScoped
@Identifier("local")
public class LocalTranscoder implements Transcoder {

    private final JobQueue queue;
    private final JobLedger ledger;
    private final LocalWorker worker;

    LocalTranscoder(JobQueue queue, JobLedger ledger, LocalWorker worker) {
        this.queue = queue;
        this.ledger = ledger;
        this.worker = worker;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Uni<String> submit(TranscodeRequest request) {
        String jobId = jobId(request.idempotencyToken());
        Instant now = Instant.now();
        // Recorded first: a message queued is always one the ledger knows of.
        return ledger.queued(jobId, now)
                .flatMap(queued -> queue.submit(new LocalJob(jobId, now, request.userMetadata(), request.settings())))
                .replaceWith(jobId);
    }

    /** Stops the job here at once if it runs here; the worker running it elsewhere reads the ledger. */
    @Override
    public Uni<Void> cancel(String jobId) {
        worker.cancel(jobId);
        return ledger.cancel(jobId);
    }

    /** A local job's id follows from its video and attempt, and no other deployment runs it. */
    @Override
    public Uni<Boolean> runsFor(String jobId, String videoId, int attempt) {
        return Uni.createFrom().item(jobId.equals(jobId(TranscodeRequest.idempotencyToken(videoId, attempt, false))));
    }

    @Override
    public Uni<JobTruth> lookup(String jobId) {
        return ledger.truth(jobId);
    }

    /** The id of the job submitted with this idempotency token. */
    public static String jobId(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "local-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

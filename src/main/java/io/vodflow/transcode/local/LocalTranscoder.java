package io.vodflow.transcode.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.transcode.TranscodeRequest;
import io.vodflow.transcode.Transcoder;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * The local ffmpeg engine as a {@link Transcoder}: a job is a message on the transcode-jobs queue,
 * run by whichever worker replica is free. The job id is derived from the video and its attempt, so
 * that submitting again names the same job, as MediaConvert's ClientRequestToken does.
 */
@ApplicationScoped
@Identifier("local")
public class LocalTranscoder implements Transcoder {

    private final SqsAsyncClient sqs;
    private final ObjectMapper json;
    private final LocalWorker worker;
    private final String queue;
    /** Resolved on first use and kept once known; a failed lookup is tried again next time. */
    private volatile String queueUrl;

    LocalTranscoder(SqsAsyncClient sqs, ObjectMapper json, LocalWorker worker, VodflowConfig config) {
        this.sqs = sqs;
        this.json = json;
        this.worker = worker;
        this.queue = config.queues().transcodeJobs().orElse("");
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Uni<String> submit(TranscodeRequest request) {
        String jobId = jobId(request.idempotencyToken());
        LocalJob job = new LocalJob(jobId, Instant.now(), request.userMetadata(), request.settings());
        return queueUrl()
                .flatMap(url -> Uni.createFrom()
                        .completionStage(
                                () -> sqs.sendMessage(send -> send.queueUrl(url).messageBody(toJson(job)))))
                .replaceWith(jobId);
    }

    @Override
    public Uni<Void> cancel(String jobId) {
        // Elsewhere, the worker running it sees at its next heartbeat that the video gave it up.
        worker.cancel(jobId);
        return Uni.createFrom().voidItem();
    }

    private Uni<String> queueUrl() {
        String known = queueUrl;
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return Uni.createFrom()
                .completionStage(() -> sqs.getQueueUrl(request -> request.queueName(queue)))
                .map(response -> queueUrl = response.queueUrl());
    }

    static String jobId(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "local-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String toJson(LocalJob job) {
        try {
            return json.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.vodflow.transcode.mediaconvert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vodflow.config.VodflowConfig;
import io.vodflow.storage.ObjectStore;
import io.vodflow.storage.S3Uri;
import io.vodflow.storage.VideoKeys;
import io.vodflow.transcode.JobRejectedException;
import io.vodflow.transcode.JobStateChange;
import io.vodflow.transcode.JobTruth;
import io.vodflow.transcode.TranscodeRequest;
import io.vodflow.transcode.Transcoder;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.reactivestreams.FlowAdapters;
import software.amazon.awssdk.services.mediaconvert.MediaConvertAsyncClient;
import software.amazon.awssdk.services.mediaconvert.model.BadRequestException;
import software.amazon.awssdk.services.mediaconvert.model.ConflictException;
import software.amazon.awssdk.services.mediaconvert.model.CreateJobRequest;
import software.amazon.awssdk.services.mediaconvert.model.ForbiddenException;
import software.amazon.awssdk.services.mediaconvert.model.Job;
import software.amazon.awssdk.services.mediaconvert.model.MediaConvertException;
import software.amazon.awssdk.services.mediaconvert.model.NotFoundException;
import software.amazon.awssdk.services.mediaconvert.model.Order;
import software.amazon.awssdk.services.mediaconvert.model.OutputGroup;
import software.amazon.awssdk.services.mediaconvert.model.OutputGroupSettings;

/**
 * Runs jobs on AWS Elemental MediaConvert. The ClientRequestToken is derived from the video and its
 * attempt, so that a job submitted again after a passing fault is the same job, not a second one.
 * MediaConvert emits no SUBMITTED event: the caller records SUBMITTED from the CreateJob answer.
 */
@ApplicationScoped
@Identifier("mediaconvert")
public class MediaConvertTranscoder implements Transcoder {

    /** Events rebuilt from GetJob name no region: the status consumer does not read it. */
    private static final String REGION_OF_EVENTS = "unknown";
    /** How far MediaConvert's job creation times may be off vodflow's clock. */
    private static final Duration CLOCK_MARGIN = Duration.ofMinutes(5);

    private final MediaConvertAsyncClient client;
    private final ObjectStore store;
    private final VodflowConfig.MediaConvert config;
    private final String outputBucket;

    MediaConvertTranscoder(MediaConvertAsyncClient client, ObjectStore store, VodflowConfig config) {
        this.client = client;
        this.store = store;
        this.config = config.mediaconvert();
        this.outputBucket = config.storage().outputBucket();
    }

    @Override
    public String name() {
        return "mediaconvert";
    }

    @Override
    public Uni<String> submit(TranscodeRequest request) {
        return Uni.createFrom()
                .item(() -> createJobRequest(request))
                .onFailure(IllegalArgumentException.class)
                .transform(e -> new JobRejectedException("TEMPLATE_INVALID", e.getMessage()))
                .flatMap(create -> Uni.createFrom().completionStage(() -> client.createJob(create)))
                .map(response -> response.job().id())
                .onFailure(MediaConvertTranscoder::refusedForGood)
                .transform(e -> new JobRejectedException(
                        "MEDIACONVERT_REJECTED",
                        "MediaConvert refused the job: " + message((MediaConvertException) e)));
    }

    CreateJobRequest createJobRequest(TranscodeRequest request) {
        ObjectNode settings = request.settings();
        boolean audioOnly = hasAudioOnlyOutput(settings);
        return CreateJobRequest.builder()
                .role(config.roleArn().orElseThrow())
                .queue(config.queueArn().orElse(null))
                .settings(JobSettingsConverter.toJobSettings(audioOnly ? unclipped(settings) : settings))
                .userMetadata(request.userMetadata())
                .clientRequestToken(request.idempotencyToken())
                .statusUpdateInterval(audioOnly ? null : config.statusUpdateInterval())
                .accelerationSettings(acceleration -> acceleration.mode(config.accelerationMode()))
                .tags(config.tags().isEmpty() ? null : config.tags())
                .build();
    }

    /**
     * Whether an output of the job has no pictures (every output of a source without video, or a
     * template's audio rendition). MediaConvert allows such a job neither input clipping nor progress
     * updates, and would refuse it: its input is read whole, as long as the file's header said at
     * ingest, within the ceiling; and it reports no progress before it ends.
     */
    private static boolean hasAudioOnlyOutput(ObjectNode settings) {
        for (JsonNode group : settings.path("OutputGroups")) {
            for (JsonNode output : group.path("Outputs")) {
                if (!output.has("VideoDescription")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ObjectNode unclipped(ObjectNode settings) {
        ObjectNode copy = settings.deepCopy();
        copy.path("Inputs").forEach(input -> ((ObjectNode) input).remove("InputClippings"));
        return copy;
    }

    @Override
    public Uni<Void> cancel(String jobId) {
        return Uni.createFrom()
                .completionStage(() -> client.cancelJob(cancel -> cancel.id(jobId)))
                .replaceWithVoid()
                // Not found, or already finished: nothing left to stop.
                .onFailure(e -> e instanceof NotFoundException
                        || e instanceof ConflictException
                        || e instanceof BadRequestException)
                .recoverWithNull();
    }

    /**
     * Within the token's window CreateJob itself answers with the earlier job. After it, the earlier
     * job is looked for among the queue's jobs created since, newest first, by the video and attempt
     * its user metadata carries.
     */
    @Override
    public Uni<Optional<String>> find(TranscodeRequest request, Instant since) {
        if (since.plus(config.idempotencyWindow()).isAfter(Instant.now())) {
            return Uni.createFrom().item(Optional.empty());
        }
        // MediaConvert's creation times have whole seconds, and its clock is not vodflow's.
        Instant oldest = since.minus(CLOCK_MARGIN);
        return Multi.createFrom()
                .publisher(FlowAdapters.toFlowPublisher(client.listJobsPaginator(
                                list -> list.queue(config.queueArn().orElse(null))
                                        .order(Order.DESCENDING)
                                        .maxResults(20))
                        .jobs()))
                .select()
                .first(job -> job.createdAt() == null || !job.createdAt().isBefore(oldest))
                .select()
                .where(job -> job.userMetadata()
                        .entrySet()
                        .containsAll(request.userMetadata().entrySet()))
                .map(Job::id)
                .toUni()
                .map(Optional::ofNullable);
    }

    /**
     * Reads the job with GetJob: it must name the video and attempt in its user metadata, and write
     * only under the video's outputs in this deployment's bucket (bucket names are global, so another
     * deployment's job of a video with the same id writes elsewhere).
     */
    @Override
    public Uni<Boolean> runsFor(String jobId, String videoId, int attempt) {
        String outputs = new S3Uri(outputBucket, VideoKeys.outputs(videoId)).toString();
        return Uni.createFrom()
                .completionStage(() -> client.getJob(get -> get.id(jobId)))
                .map(response -> {
                    Job job = response.job();
                    return videoId.equals(job.userMetadata().get("videoId"))
                            && Integer.toString(attempt)
                                    .equals(job.userMetadata().get("attempt"))
                            && job.settings() != null
                            && !job.settings().outputGroups().isEmpty()
                            && job.settings().outputGroups().stream()
                                    .allMatch(group -> destination(group).startsWith(outputs));
                })
                .onFailure(NotFoundException.class)
                .recoverWithItem(false);
    }

    private static String destination(OutputGroup group) {
        OutputGroupSettings settings = group.outputGroupSettings();
        if (settings == null) {
            return "";
        }
        if (settings.hlsGroupSettings() != null) {
            return String.valueOf(settings.hlsGroupSettings().destination());
        }
        if (settings.fileGroupSettings() != null) {
            return String.valueOf(settings.fileGroupSettings().destination());
        }
        return ""; // a kind of group vodflow's templates do not make
    }

    /**
     * Reads the job back with GetJob. An ended job's final event is rebuilt from it: MediaConvert keeps
     * the status, the error and the outputs' details, while the file names follow from the settings
     * (the last frame capture is found in storage, as GetJob does not name it).
     */
    @Override
    public Uni<JobTruth> lookup(String jobId) {
        return Uni.createFrom()
                .completionStage(() -> client.getJob(get -> get.id(jobId)))
                .flatMap(response -> truth(response.job()))
                .onFailure(NotFoundException.class)
                .recoverWithItem(JobTruth.lost());
    }

    private Uni<JobTruth> truth(Job job) {
        return switch (job.status()) {
            case COMPLETE -> FinalEvents.complete(job, store).map(MediaConvertTranscoder::ended);
            case ERROR, CANCELED -> Uni.createFrom().item(ended(FinalEvents.ended(job)));
            default -> Uni.createFrom().item(JobTruth.running());
        };
    }

    private static JobTruth ended(ObjectNode detail) {
        return JobTruth.ended(
                JobStateChange.envelope(detail, detail.path("accountId").asText(), REGION_OF_EVENTS)
                        .toString());
    }

    private static String message(MediaConvertException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
                ? e.getMessage()
                : e.awsErrorDetails().errorMessage();
    }

    /** 4xx answers other than throttling will not change on retry. */
    private static boolean refusedForGood(Throwable e) {
        return e instanceof BadRequestException
                || e instanceof ForbiddenException
                || e instanceof NotFoundException
                || e instanceof ConflictException;
    }
}

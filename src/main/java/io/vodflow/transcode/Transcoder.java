package io.vodflow.transcode;

import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.Optional;

/**
 * A transcoding engine: AWS Elemental MediaConvert or the local ffmpeg engine. Both take the same
 * fitted MediaConvert JobSettings and report progress as "MediaConvert Job State Change" events on
 * the job-events queue.
 */
public interface Transcoder {

    /** The backend's name, stored with the job. */
    String name();

    /**
     * Submits a job. Submitting the same video and attempt again must not start a second job.
     *
     * @return the job id
     * @throws JobRejectedException (as the Uni's failure) when the engine refuses the job for good;
     *     any other failure is passing and worth a later retry
     */
    Uni<String> submit(TranscodeRequest request);

    /**
     * The job a submission of this request may have started before a crash, if the engine has one,
     * so that a second submission does not start another. Engines whose submissions stay idempotent
     * for ever need not look.
     *
     * @param since when that earlier submission set out
     */
    default Uni<Optional<String>> find(TranscodeRequest request, Instant since) {
        return Uni.createFrom().item(Optional.empty());
    }

    /**
     * Whether the engine's job {@code jobId} is this deployment's job for the video's attempt, as the
     * engine itself records it. A job event alone does not show it: it can be forged, or come from
     * another deployment that shares the account's MediaConvert events.
     */
    Uni<Boolean> runsFor(String jobId, String videoId, int attempt);

    /** Stops a job; a job that already ended or does not exist is fine. */
    Uni<Void> cancel(String jobId);

    /** How the job stands, in the engine's own records: for the reconciler, when its events stopped. */
    Uni<JobTruth> lookup(String jobId);
}

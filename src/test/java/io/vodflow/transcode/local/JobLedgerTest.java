package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.config.VodflowConfig;
import io.vodflow.transcode.JobTruth;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The local engine's ledger in the embedded DynamoDB: one run at a time holds a job, a dead run's
 * lease lapses, failed and dead runs are counted while handed-back ones are not, a canceled or
 * ended job is taken by nobody, and a queued job waits a while before the reconciler calls it lost.
 */
@QuarkusTest
class JobLedgerTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    @Inject
    JobLedger ledger;

    @Inject
    VodflowConfig config;

    @Test
    void oneRunAtATimeHoldsAJob() {
        String job = newJob();
        assertThat(ledger.take(job, "run-a", LEASE)).isPresent();
        assertThat(ledger.take(job, "run-b", LEASE)).as("while run-a holds it").isEmpty();
        assertThat(ledger.renew(job, "run-a", LEASE)).as("run-a renews").isTrue();

        ledger.release(job, "run-b"); // not the holder: changes nothing
        assertThat(ledger.take(job, "run-b", LEASE)).isEmpty();

        ledger.release(job, "run-a");
        assertThat(ledger.take(job, "run-b", LEASE))
                .as("once run-a gave it back")
                .isPresent();
        assertThat(ledger.standing(job)).isEqualTo(JobLedger.Standing.WANTED);
    }

    @Test
    void theLeaseOfARunThatDiedLapses() {
        String job = newJob();
        assertThat(ledger.take(job, "run-a", Duration.ofMillis(-1))).isPresent();
        assertThat(ledger.take(job, "run-b", LEASE)).isPresent();
        assertThat(ledger.renew(job, "run-a", LEASE)).as("run-a was taken over").isFalse();
    }

    @Test
    void failedAndDeadRunsCountButHandedBackOnesDoNot() {
        String job = newJob();
        assertThat(ledger.take(job, "run-a", LEASE)).contains(new JobLedger.Taken(0));
        ledger.release(job, "run-a"); // its worker stopped: a rollout
        assertThat(ledger.take(job, "run-b", LEASE)).contains(new JobLedger.Taken(0));
        ledger.failed(job, "run-b");
        assertThat(ledger.take(job, "run-c", Duration.ofMillis(-1))).contains(new JobLedger.Taken(1));
        // run-c died holding the lease: the next run counts it.
        assertThat(ledger.take(job, "run-d", LEASE)).contains(new JobLedger.Taken(2));
        ledger.failed(job, "run-c"); // run-c no longer holds the job: not counted twice
        ledger.release(job, "run-d");
        assertThat(ledger.take(job, "run-e", LEASE)).contains(new JobLedger.Taken(2));
    }

    @Test
    void aCanceledOrEndedJobIsTakenByNobody() {
        String canceled = newJob();
        ledger.cancel(canceled).await().atMost(Duration.ofSeconds(10));
        assertThat(ledger.take(canceled, "run-a", LEASE)).isEmpty();
        assertThat(ledger.standing(canceled)).isEqualTo(JobLedger.Standing.CANCELED);

        String ended = newJob();
        assertThat(ledger.take(ended, "run-a", LEASE)).isPresent();
        ledger.ended(ended, "{\"detail\":{\"status\":\"COMPLETE\"}}");
        assertThat(ledger.renew(ended, "run-a", LEASE)).isFalse();
        assertThat(ledger.take(ended, "run-b", LEASE)).isEmpty();
        assertThat(ledger.standing(ended)).isEqualTo(JobLedger.Standing.ENDED);
    }

    @Test
    void anEndedJobStaysEndedWhenCanceledLate() {
        String job = newJob();
        assertThat(ledger.take(job, "run-a", LEASE)).isPresent();
        ledger.ended(job, "{\"detail\":{\"status\":\"COMPLETE\"}}");

        ledger.cancel(job).await().atMost(Duration.ofSeconds(10));

        assertThat(ledger.standing(job)).isEqualTo(JobLedger.Standing.ENDED);
    }

    @Test
    void theLedgerTellsTheReconcilerHowAJobStands() {
        String job = newJob();
        assertThat(truth(job).state()).as("never seen").isEqualTo(JobTruth.State.LOST);
        ledger.take(job, "run-a", LEASE);
        assertThat(truth(job).state()).as("while leased").isEqualTo(JobTruth.State.RUNNING);
        ledger.release(job, "run-a");
        assertThat(truth(job).state()).as("given back, message gone").isEqualTo(JobTruth.State.LOST);
        ledger.ended(job, "the final event");
        assertThat(truth(job)).isEqualTo(JobTruth.ended("the final event"));
    }

    @Test
    void aQueuedJobWaitsForAWorkerForOneSilenceBeforeItCountsAsLost() {
        String waiting = newJob();
        ledger.queued(waiting, Instant.now()).await().atMost(Duration.ofSeconds(10));
        assertThat(truth(waiting).state())
                .as("queued just now: the reconciler leaves it in the queue")
                .isEqualTo(JobTruth.State.RUNNING);

        String forgotten = newJob();
        Instant longAgo = Instant.now().minus(config.reconciler().silence()).minusSeconds(60);
        ledger.queued(forgotten, longAgo).await().atMost(Duration.ofSeconds(10));
        assertThat(truth(forgotten).state())
                .as("queued a silence ago and never taken: the reconciler submits it again")
                .isEqualTo(JobTruth.State.LOST);
        ledger.queued(forgotten, Instant.now()).await().atMost(Duration.ofSeconds(10));
        assertThat(truth(forgotten).state())
                .as("submitted again: not again before another silence")
                .isEqualTo(JobTruth.State.RUNNING);
    }

    private JobTruth truth(String job) {
        return ledger.truth(job).await().atMost(Duration.ofSeconds(10));
    }

    private static String newJob() {
        return "local-" + UUID.randomUUID();
    }
}

package io.vodflow.transcode.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.transcode.JobTruth;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The local engine's ledger in the embedded DynamoDB: one run at a time holds a job, a dead run's
 * lease lapses, and a canceled or ended job is taken by nobody.
 */
@QuarkusTest
class JobLedgerTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    @Inject
    JobLedger ledger;

    @Test
    void oneRunAtATimeHoldsAJob() {
        String job = newJob();
        assertThat(ledger.lease(job, "run-a", LEASE)).isTrue();
        assertThat(ledger.lease(job, "run-b", LEASE)).as("while run-a holds it").isFalse();
        assertThat(ledger.lease(job, "run-a", LEASE)).as("run-a renews").isTrue();

        ledger.release(job, "run-b"); // not the holder: changes nothing
        assertThat(ledger.lease(job, "run-b", LEASE)).isFalse();

        ledger.release(job, "run-a");
        assertThat(ledger.lease(job, "run-b", LEASE))
                .as("once run-a gave it back")
                .isTrue();
        assertThat(ledger.standing(job)).isEqualTo(JobLedger.Standing.WANTED);
    }

    @Test
    void theLeaseOfARunThatDiedLapses() {
        String job = newJob();
        assertThat(ledger.lease(job, "run-a", Duration.ofMillis(-1))).isTrue();
        assertThat(ledger.lease(job, "run-b", LEASE)).isTrue();
        assertThat(ledger.lease(job, "run-a", LEASE)).isFalse();
    }

    @Test
    void aCanceledOrEndedJobIsTakenByNobody() {
        String canceled = newJob();
        ledger.cancel(canceled).await().atMost(Duration.ofSeconds(10));
        assertThat(ledger.lease(canceled, "run-a", LEASE)).isFalse();
        assertThat(ledger.standing(canceled)).isEqualTo(JobLedger.Standing.CANCELED);

        String ended = newJob();
        assertThat(ledger.lease(ended, "run-a", LEASE)).isTrue();
        ledger.ended(ended, "{\"detail\":{\"status\":\"COMPLETE\"}}");
        assertThat(ledger.lease(ended, "run-a", LEASE)).isFalse();
        assertThat(ledger.lease(ended, "run-b", LEASE)).isFalse();
        assertThat(ledger.standing(ended)).isEqualTo(JobLedger.Standing.ENDED);
    }

    @Test
    void theLedgerTellsTheReconcilerHowAJobStands() {
        String job = newJob();
        assertThat(truth(job).state()).as("never seen").isEqualTo(JobTruth.State.LOST);
        ledger.lease(job, "run-a", LEASE);
        assertThat(truth(job).state()).as("while leased").isEqualTo(JobTruth.State.RUNNING);
        ledger.release(job, "run-a");
        assertThat(truth(job).state()).as("given back, message gone").isEqualTo(JobTruth.State.LOST);
        ledger.ended(job, "the final event");
        assertThat(truth(job)).isEqualTo(JobTruth.ended("the final event"));
    }

    private JobTruth truth(String job) {
        return ledger.truth(job).await().atMost(Duration.ofSeconds(10));
    }

    private static String newJob() {
        return "local-" + UUID.randomUUID();
    }
}

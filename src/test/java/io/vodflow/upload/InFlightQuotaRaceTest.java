package io.vodflow.upload;

import static io.vodflow.testing.Users.as;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Creations at once while the owner's count of videos in flight is being taken again: the bound on
 * them stands at the limit after one of them ended, so each creation recounts. One recount may set
 * the bound; the others start over and find the new video.
 */
@QuarkusTest
@TestProfile(InFlightQuotaRaceTest.ThreeInFlight.class)
class InFlightQuotaRaceTest {

    /** Three videos in flight; creations per minute far above, so that only the in-flight limit holds. */
    public static class ThreeInFlight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.quotas.videos-in-flight", "3", "vodflow.quotas.creations-per-minute", "100");
        }
    }

    @Test
    void creationsAtOnceAfterOneVideoLeftFlightDoNotPassTheLimitTogether() {
        String user = "quota-recount-race";
        List<String> ids = IntStream.range(0, 3)
                .mapToObj(i -> create(user).then().statusCode(201).extract().<String>path("id"))
                .toList();
        as(user).delete("/videos/" + ids.get(0) + "/upload").then().statusCode(204);

        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Response> answers;
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Response>> creations = IntStream.range(0, 8)
                    .mapToObj(i -> CompletableFuture.supplyAsync(
                            () -> {
                                awaitQuietly(start);
                                return create(user);
                            },
                            clients))
                    .toList();
            start.countDown();
            answers = creations.stream().map(CompletableFuture::join).toList();
        } finally {
            clients.shutdownNow();
        }

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isIn(201, 429));
        // One takes the place that was freed. Another may pass only if its recount ran before the first
        // one's video was written: at most one a round of recounts, of which each creation makes four.
        assertThat(answers.stream().filter(answer -> answer.statusCode() == 201).count())
                .isBetween(1L, 4L);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Response create(String user) {
        return as(user).contentType("application/json")
                .body(Map.of("fileName", "q.mp4", "contentType", "video/mp4", "sizeBytes", 10))
                .post("/videos");
    }
}

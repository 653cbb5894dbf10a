package io.vodflow.upload;

import static io.vodflow.testing.Users.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vodflow.problem.ApiProblem;
import io.vodflow.security.Caller;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One owner may start only so much; over a quota, creating answers 429 and writes nothing. */
@QuarkusTest
@TestProfile(QuotasTest.SmallQuotas.class)
class QuotasTest {

    @Inject
    Quotas quotas;

    public static class SmallQuotas implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "vodflow.quotas.videos-in-flight", "3",
                    "vodflow.quotas.bytes-per-day", "10000",
                    "vodflow.quotas.creations-per-minute", "4");
        }
    }

    @Test
    void theFourthVideoInFlightIsRefusedUntilOneEnds() {
        String user = "quota-in-flight";
        String day = today();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(create(user, 10).then().statusCode(201).extract().path("id"));
        }

        Response refused = create(user, 10);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();
        assertThat(refused.jsonPath().getString("detail")).contains("3 videos in flight");
        assertThat(as(user).get("/videos").then().extract().jsonPath().getList("items.id"))
                .as("nothing written")
                .containsExactlyInAnyOrderElementsOf(ids);
        as(user).get("/videos/limits").then().body("quotas.videosInFlight.used", equalTo(3));
        if (day.equals(today())) {
            // Nothing counted for the refused one.
            as(user).get("/videos/limits").then().body("quotas.bytesPerDay.used", equalTo(30));
        }

        as(user).delete("/videos/" + ids.get(0) + "/upload").then().statusCode(204);
        create(user, 10).then().statusCode(201);
        // Quotas are each owner's own.
        create("quota-someone-else", 10).then().statusCode(201);
    }

    @Test
    void creationsAtOnceAreEachAdmittedOrRefusedAndNeverPassTheCreationsLimit() {
        String user = "quota-at-once";
        String minute = thisMinute();
        List<CompletableFuture<Response>> creations = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            creations.add(CompletableFuture.supplyAsync(() -> create(user, 10)));
        }
        List<Response> answers = creations.stream().map(CompletableFuture::join).toList();

        assertThat(answers)
                .allSatisfy(answer -> assertThat(answer.statusCode()).isIn(201, 429))
                .filteredOn(answer -> answer.statusCode() == 429)
                .allSatisfy(answer -> assertThat(answer.contentType()).startsWith("application/problem+json"));
        long admitted =
                answers.stream().filter(answer -> answer.statusCode() == 201).count();
        assertThat(admitted).as("as many as the videos in flight allow").isGreaterThanOrEqualTo(3);
        if (minute.equals(thisMinute())) {
            assertThat(admitted).as("never past the creations per minute").isLessThanOrEqualTo(4);
        }
    }

    @Test
    void videosInFlightStillCountOnTheNextDay() {
        String user = "quota-next-day";
        for (int i = 0; i < 3; i++) {
            create(user, 10).then().statusCode(201);
        }

        // The next day's counters start empty; its first creation counts the videos in flight.
        Instant tomorrow = Instant.now().plus(Duration.ofDays(1));
        assertThatThrownBy(() -> quotas.admit(new Caller(user, false), 10, tomorrow)
                        .await()
                        .atMost(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ApiProblem.class, refused -> assertThat(refused.getMessage())
                        .contains("3 videos in flight"));
    }

    @Test
    void bytesDeclaredPerDayAreCapped() {
        String user = "quota-bytes";
        String day = today();
        create(user, 6000).then().statusCode(201);

        Response refused = create(user, 5000);
        if (!day.equals(today())) {
            return; // The day turned during the test: its counter started again.
        }
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 86_400L);
        as(user).get("/videos/limits")
                .then()
                .body("quotas.bytesPerDay.limit", equalTo(10000))
                .body("quotas.bytesPerDay.used", equalTo(6000))
                .body("quotas.creationsPerMinute.limit", equalTo(4));
        create(user, 4000).then().statusCode(201);
    }

    @Test
    void aCreationThatFailsOnceCountedGivesItsBytesBack() {
        String user = "quota-given-back";
        Caller caller = new Caller(user, false);
        String day = today();
        Instant now = Instant.now();

        // Counted, then storage or the database failed the rest of the creation (503).
        quotas.admit(caller, 6000, now).await().atMost(Duration.ofSeconds(10));
        quotas.giveBack(caller, 6000, now).await().atMost(Duration.ofSeconds(10));

        if (!day.equals(today())) {
            return; // The day turned during the test: its counter started again.
        }
        as(user).get("/videos/limits").then().body("quotas.bytesPerDay.used", equalTo(0));
        create(user, 10000).then().statusCode(201);
    }

    @Test
    void theFifthCreationInAMinuteIsRefusedWithoutCountingItsBytes() {
        String user = "quota-per-minute";
        String minute = thisMinute();
        for (int i = 0; i < 4; i++) {
            String id = create(user, 10).then().statusCode(201).extract().path("id");
            as(user).delete("/videos/" + id + "/upload").then().statusCode(204); // no longer in flight
        }

        Response refused = create(user, 10);
        if (!minute.equals(thisMinute())) {
            return; // The minute turned during the test: its counter started again.
        }
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.jsonPath().getString("detail")).contains("4 videos this minute");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
        as(user).get("/videos/limits")
                .then()
                .body("quotas.creationsPerMinute.used", equalTo(4))
                .body("quotas.bytesPerDay.used", equalTo(40));
    }

    private static Response create(String user, long size) {
        return as(user).contentType("application/json")
                .body(Map.of("fileName", "q.mp4", "contentType", "video/mp4", "sizeBytes", size))
                .post("/videos");
    }

    private static String thisMinute() {
        return Instant.now().truncatedTo(ChronoUnit.MINUTES).toString();
    }

    private static String today() {
        return Instant.now().atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }
}

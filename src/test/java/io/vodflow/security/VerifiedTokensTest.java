package io.vodflow.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vodflow.testing.Users;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** A bearer token is verified once and then reused, but never past its expiry. */
@QuarkusTest
class VerifiedTokensTest {

    @Inject
    MeterRegistry metrics;

    @Test
    void aVerifiedTokenIsReusedUntilItExpiresAndThenRefused() {
        // A token's expiry is in whole seconds.
        Instant expires = Instant.now().plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
        String token = Users.tokenExpiringAt(Users.USER, expires);
        double reusedBefore = reused();

        listWith(token).then().statusCode(200);
        listWith(token).then().statusCode(200);
        assertThat(reused())
                .as("the second call reused the first one's verification")
                .isGreaterThan(reusedBefore);

        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> listWith(token).statusCode() == 401);
        assertThat(Instant.now()).as("refused once expired, not before").isAfterOrEqualTo(expires);
    }

    private static Response listWith(String token) {
        return RestAssured.given().auth().oauth2(token).get("/videos");
    }

    private double reused() {
        Counter hits = metrics.find("cache.gets")
                .tag("cache", "verified-tokens")
                .tag("result", "hit")
                .counter();
        return hits == null ? 0 : hits.count();
    }
}

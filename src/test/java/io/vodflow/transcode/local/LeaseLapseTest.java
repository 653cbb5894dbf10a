package io.vodflow.transcode.local;

import static io.vodflow.testing.Users.given;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.Processes;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * DynamoDB stops answering while a job runs (the embedded one's process is suspended: to the service
 * it looks like a hung or unreachable database). The run cannot renew its lease, so it stops before
 * the lease lapses, when another run could take the job and write the same keys beside it; once
 * DynamoDB answers again, the job is taken up again.
 */
@QuarkusTest
@TestProfile(LeaseLapseTest.ShortLeaseSlowRun.class)
class LeaseLapseTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** A 6 s lease renewed every 2 s; x264's slowest preset, so that only the lapse ends the run in time. */
    public static class ShortLeaseSlowRun implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.local.visibility-timeout", "6s", "vodflow.local.preset", "veryslow");
        }
    }

    @Inject
    FfmpegTools ffmpeg;

    @ConfigProperty(name = "vodflow.localcloud.dynamodb-port")
    int dynamoDbPort;

    @Test
    void aRunThatCannotRenewItsLeaseStopsAndTheJobIsTakenUpAgain() {
        String id = VideoApi.upload(TestMedia.long720p(ffmpeg, 20), "video/mp4");
        String rendition = firstRendition(VideoApi.awaitPlayable(id, TIMEOUT).getString("playback.masterPlaylist"));
        await().atMost(TIMEOUT).until(() -> segmentsListed(rendition) >= 2);

        ProcessHandle dynamoDb = embeddedDynamoDb();
        Processes.signal(dynamoDb, "STOP");
        try {
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> !Processes.ffmpegRunningFor(id));
        } finally {
            Processes.signal(dynamoDb, "CONT");
        }

        await().atMost(TIMEOUT).until(() -> Processes.ffmpegRunningFor(id));
        // Players follow the growing playlist: the run that takes the job up never shortens it.
        await().during(Duration.ofSeconds(15))
                .atMost(Duration.ofSeconds(20))
                .until(() -> segmentsListed(rendition) >= 2);
        given().delete("/videos/" + id).then().statusCode(204);
        await().atMost(TIMEOUT).until(() -> !Processes.ffmpegRunningFor(id));
    }

    /** The first rendition playlist the master playlist lists. */
    private static String firstRendition(String master) {
        String name = RestAssured.get(master)
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .lines()
                .filter(line -> line.endsWith(".m3u8"))
                .findFirst()
                .orElseThrow();
        return master.substring(0, master.lastIndexOf('/') + 1) + name;
    }

    private static long segmentsListed(String playlist) {
        return RestAssured.get(playlist)
                .asString()
                .lines()
                .filter(line -> line.endsWith(".ts"))
                .count();
    }

    /** dynalite, which the application started as a child process listening on its port. */
    private ProcessHandle embeddedDynamoDb() {
        return ProcessHandle.current()
                .descendants()
                .filter(process -> {
                    String command = process.info().commandLine().orElse("");
                    return command.contains("launcher.js") && command.contains("--port " + dynamoDbPort);
                })
                .findFirst()
                .orElseThrow(() -> new AssertionError("No embedded DynamoDB on port " + dynamoDbPort));
    }
}

package io.vodflow.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.Traced;
import io.vodflow.testing.VideoApi;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With tracing on, one video's way is one trace: the create request, the ingest of its upload (which
 * S3 announced without any trace context), the local engine's run of its job (through the job queue's
 * message attribute) and the job's events (through userMetadata, as MediaConvert's would).
 */
@QuarkusTest
@TestProfile(Traced.class)
class VideoTraceTest {

    private static final AttributeKey<String> VIDEO_ID = AttributeKey.stringKey("vodflow.video.id");

    @Inject
    InMemorySpanExporter exporter;

    @Test
    void createIngestJobAndStatusShareOneTrace() {
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");
        VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));

        await().atMost(Duration.ofSeconds(30)).until(() -> names(about(id)).contains("job COMPLETE"));
        List<SpanData> about = about(id);
        assertThat(names(about)).contains("ingest", "transcode", "job PROGRESSING", "job COMPLETE");
        assertThat(about)
                .extracting(SpanData::getTraceId)
                .containsOnly(about.get(0).getTraceId());

        List<SpanData> trace = exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getTraceId().equals(about.get(0).getTraceId()))
                .toList();
        assertThat(trace)
                .filteredOn(span -> span.getKind() == SpanKind.SERVER)
                .extracting(SpanData::getName)
                .as("the request that created the video starts its trace")
                .containsExactly("POST /videos");
    }

    private List<SpanData> about(String id) {
        return exporter.getFinishedSpanItems().stream()
                .filter(span -> id.equals(span.getAttributes().get(VIDEO_ID)))
                .toList();
    }

    private static List<String> names(List<SpanData> spans) {
        return spans.stream().map(SpanData::getName).toList();
    }
}

package io.vodflow.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.support.VideoLog;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.VideoApi;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every line about a video carries its id as a field (in production's JSON lines, {@code mdc.videoId}):
 * an operator finds one video's ingest, job and status changes with one query.
 */
@QuarkusTest
class VideoLogTest {

    /** Each line seen: its text and the video id field it carried when it was written. */
    private record Line(String text, String videoId) {}

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record instanceof ExtLogRecord line && line.getLoggerName().startsWith("io.vodflow")) {
                lines.add(new Line(line.getFormattedMessage(), line.getMdc(VideoLog.VIDEO_ID)));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void listen() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void ingestJobAndStatusLinesCarryTheVideoId() {
        String id = VideoApi.upload(TestResources.media("h264_aac_320x240_main.mp4"), "video/mp4");
        VideoApi.awaitStatus(id, "COMPLETE", Duration.ofMinutes(2));

        List<Line> about =
                lines.stream().filter(line -> line.text().contains(id)).toList();
        assertThat(about)
                .extracting(Line::text)
                .anyMatch(text -> text.contains("submitted to local as job"))
                .anyMatch(text -> text.startsWith("Running job"))
                .anyMatch(text -> text.equals("Video " + id + " is COMPLETE"));
        assertThat(about).allSatisfy(line -> assertThat(line.videoId())
                .as("the field of: %s", line.text())
                .isEqualTo(id));
    }
}

package io.vodflow.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobTemplateTest {

    @Test
    void jobsAreClippedAtTheCeilingRoundedUpToAWholeSecond() {
        assertThat(JobTemplate.endTimecode(Duration.ofHours(6))).isEqualTo("06:00:00:00");
        assertThat(JobTemplate.endTimecode(Duration.ofMillis(4_200))).isEqualTo("00:00:05:00");
        assertThat(JobTemplate.endTimecode(Duration.ofSeconds(24 * 3600 - 1))).isEqualTo("23:59:59:00");
    }
}

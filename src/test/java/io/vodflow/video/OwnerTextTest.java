package io.vodflow.video;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an owner reads of an engine's error: the reason, without the service's internals. */
class OwnerTextTest {

    @Test
    void storagePathsArnsAndRequestIdsAreReplaced() {
        Video.Failure failure = new Video.Failure(
                "JOB_1040",
                "Unable to open input file [s3://acme-prod-uploads/uploads/3f2c/source]: AssumeRole failed for"
                        + " arn:aws:iam::111122223333:role/vodflow-mediaconvert (Service: MediaConvert, Status Code:"
                        + " 403, Request ID: 7a1b-22cd)");

        assertThat(failure.message())
                .isEqualTo("Unable to open input file [a stored file]: AssumeRole failed for an AWS resource")
                .doesNotContain("acme", "111122223333", "7a1b");
    }

    @Test
    void workFilesAndUrlsAreReplacedButSettingsPathsStay() {
        assertThat(OwnerText.redact("/tmp/vodflow/worker-1/job/master_1080p.m3u8: No space left on device"))
                .isEqualTo("a work file: No space left on device");
        assertThat(OwnerText.redact("Cannot reach https://storage.internal:9000/x?X-Amz-Signature=abc now"))
                .isEqualTo("Cannot reach a URL now");
        assertThat(OwnerText.redact("/outputGroups/0/outputs: Should have at most 4 elements"))
                .isEqualTo("/outputGroups/0/outputs: Should have at most 4 elements");
    }
}

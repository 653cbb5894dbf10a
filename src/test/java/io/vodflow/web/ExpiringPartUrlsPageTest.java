package io.vodflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.Users;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Part URLs stop working long before a large upload ends when the credentials that signed them are
 * temporary: here they last a second, and the page has the parts signed again as it goes.
 */
@QuarkusTest
@TestProfile(ExpiringPartUrlsPageTest.OneSecondPartUrls.class)
class ExpiringPartUrlsPageTest extends InBrowser {

    public static class OneSecondPartUrls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.upload.part-url-lifetime", "1s");
        }
    }

    private static final long MIB = 1024 * 1024;

    @Inject
    FfmpegTools ffmpeg;

    @Test
    void anUploadThatOutlastsItsPartUrlsGoesUpWhole() {
        // Five parts at 16 Mbit/s: the fifth starts seconds after the first four, long after its first URL expired.
        Path large = TestMedia.constant16Mbits(ffmpeg, "five-parts.mp4", "320x240", 12);
        assertThat(large.toFile().length())
                .as("more parts than the page sends at once")
                .isGreaterThan(20 * MIB);
        browser.openSignedIn(page, Users.USER);
        browser.await(WebPageTest.SHORT)
                .until(ExpectedConditions.textToBe(By.id("drop-hint"), "Video files up to 10 GiB"));
        browser.throttleUploads(4 * MIB);

        browser.find("#file").sendKeys(large.toAbsolutePath().normalize().toString());

        browser.await(WebPageTest.TRANSCODE)
                .until(driver -> "COMPLETE".equals(browser.find("#video-status").getDomAttribute("data-status"))
                        || browser.find("#message").isDisplayed());
        assertThat(browser.find("#message").isDisplayed())
                .as(browser.find("#message").getText())
                .isFalse();
        assertThat(browser.<Long>script("return performance.getEntriesByType('resource')"
                        + ".filter(e => e.name.includes('/upload/parts?access=')).length"))
                .as("the parts were signed again")
                .isPositive();
    }
}
